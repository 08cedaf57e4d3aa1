"""Exports of lists to Excel (the case search, 案件查询), streamed and formula-safe."""
