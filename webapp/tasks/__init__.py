"""待办: the inbox of ready tasks and the task page with its decision form."""
