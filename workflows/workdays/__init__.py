"""The official working-day calendar admins keep (holiday and make-up working days per year, with the
State Council notice): table.py (seeding from the libraries, loading into the clock's in-process cache),
admin.py (editing and confirming a year, recomputing deadlines counted through an estimated year)."""
