"""Working on tasks: who a task belongs to (认领 / 转办 / 退回组) and deciding several at once (batch)."""
