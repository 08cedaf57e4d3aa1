"""系统管理 (admin area)."""
