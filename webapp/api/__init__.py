"""JSON API v1 (``/api/v1``) for integrations and automated clients, on the same service layer as the
screens. Endpoints are declared once with ``webapp.api.core.operation``; the OpenAPI document
(``/api/v1/openapi.json``) and the documentation page (``/api/docs``) are built from those declarations.

To add endpoints (quarterly plans, semiannual reports, notifications ...): write a module under
``webapp/api/`` and append it to ``API_MODULES``; see ``webapp.api.registry``.
"""

from __future__ import annotations

import importlib

from webapp.api import registry
from webapp.api.core import bp
from webapp.api.schemas import catalogues_auth, periodic  # noqa: F401 - importing registers their components
from webapp.api.schemas.filings import case_schema

API_MODULES = [
    "webapp.api.auth",
    "webapp.api.catalogues",
    "webapp.api.filings",
    "webapp.api.cases",
    "webapp.api.tasks",
    "webapp.api.plans",
    "webapp.api.reports",
    "webapp.api.report_files",  # after reports: its endpoints follow them in the document
    "webapp.api.gallery",
    "webapp.api.notifications",
    "webapp.api.projects",
    "webapp.api.openapi",
]

for _name in API_MODULES:
    importlib.import_module(_name)

# Registered last: modules above may add case sections (registry.case_section).
registry.schema("Case", case_schema(registry.CASE_SECTION_SCHEMAS))

__all__ = ["API_MODULES", "bp"]
