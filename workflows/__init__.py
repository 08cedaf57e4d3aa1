"""Everything that touches SpiffWorkflow: engine, runner, store, use cases and pure rules.

Nothing in this package imports Flask; the web layer passes in a SQLAlchemy session and an Actor.
"""
