"""学员名册: the Excel template and the import into a filing."""
