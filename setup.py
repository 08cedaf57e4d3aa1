"""The wheel's layout (the metadata and dependencies are in pyproject.toml).

The top-level folders bpmn/, data/ and migrations/ stay where the project keeps them and ship inside the
package that reads them: site-packages/workflows/bpmn, workflows/data and webapp/migrations. Code finds them
with ``workflows.shipped_dir`` / ``webapp.migrations_dir``: next to the package when installed, at the
checkout root otherwise. Templates and static files (the built front-end assets in static/vendor included)
are package data of webapp.
"""

from setuptools import find_packages, setup

SHIPPED = {
    "workflows.bpmn": "bpmn",
    "workflows.data": "data",
    "webapp.migrations": "migrations",
    "webapp.migrations.versions": "migrations/versions",
}

setup(
    packages=find_packages(include=["workflows", "workflows.*", "webapp", "webapp.*"]) + list(SHIPPED),
    package_dir=SHIPPED,
    py_modules=["config"],
    package_data={
        "webapp": ["templates/**/*", "static/**/*"],
        "workflows.bpmn": ["*.bpmn", "*.dmn", "*.xml"],
        "workflows.data": ["*.csv", "*.json", "*.txt"],
        "webapp.migrations": ["README", "alembic.ini", "script.py.mako"],
    },
    exclude_package_data={"": ["__pycache__/*", "*.pyc"]},
    include_package_data=False,
)
