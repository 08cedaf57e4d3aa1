"""案件查询: the case list in scope, the case detail with history and the BPMN diagram."""
