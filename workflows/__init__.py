"""Everything that touches SpiffWorkflow: engine, runner, store, use cases and pure rules.

Nothing in this package imports Flask; the web layer passes in a SQLAlchemy session and an Actor.
"""

from pathlib import Path


def shipped_dir(name: str) -> Path:
    """Where a folder the project ships (``bpmn``, ``data``) lies: inside this package when installed from
    a wheel (setup.py maps the top-level folders there), at the root of a checkout otherwise."""
    here = Path(__file__).resolve().parent
    installed = here / name
    return installed if installed.is_dir() else here.parent / name
