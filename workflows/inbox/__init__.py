"""The ready-task inbox (待办): one filtered, sorted, paged SQL query over the task index."""
