"""Component schemas shared by the API's modules (JSON Schema 2020-12, as OpenAPI 3.1 uses them).

Request schemas are strict (``additionalProperties: false``, lengths that fit the database columns,
enums); the same dicts validate requests and are published in the OpenAPI document. Response
schemas describe what the serializers in ``webapp.api.serializers`` produce.

The definitions live in ``schemas_common`` (helpers, enums, ``Error``), ``schemas_filings`` (filings,
cases, tasks), ``schemas_catalogues_auth`` (occupations, textbooks, tokens) and ``schemas_periodic``
(quarterly plans, semiannual reports, notifications); every name is re-exported here. Each module
registers its components on import; the OpenAPI document lists components sorted by name, so the order
the modules are imported in does not change it.
"""

from __future__ import annotations

from webapp.api.schemas_catalogues_auth import (  # noqa: F401 (re-exported)
    ME,
    OCCUPATION,
    OCCUPATION_LIST,
    REVOCATION,
    TEXTBOOK,
    TEXTBOOK_LIST,
    TOKEN,
    TOKEN_REQUEST,
    USER,
)
from webapp.api.schemas_common import (  # noqa: F401 (re-exported)
    _RELAX,
    BINARY,
    DATE,
    DATETIME,
    DISTRICT,
    ERROR,
    KIND,
    MAX_ID,
    PLAN_STATUS,
    REPORT_STATUS,
    ROW_ID,
    STATUS,
    _object,
    choices,
    nullable,
    page_of,
    relaxed,
    status_of,
    text,
)
from webapp.api.schemas_filings import (  # noqa: F401 (re-exported)
    _CASE_COMMON,
    CASE_LIST,
    CASE_SUMMARY,
    CHECK,
    COURSE_IN,
    DECISION,
    ENTERPRISE,
    FILING,
    FILING_IN,
    FILING_INPUT,
    HISTORY_EVENT,
    TASK,
    TASK_COMPLETION,
    TASK_LIST,
    TRAINEE_IN,
    WITHDRAWAL,
    _filing_out,
    case_schema,
)
from webapp.api.schemas_periodic import (  # noqa: F401 (re-exported)
    _PERIODIC_COMMON,
    _PLAN_SUMMARY,
    _REPORT_CASE,
    _REPORT_SUMMARY,
    _TOP,
    ATTACHMENT,
    EXCELLENT_INPUT,
    GALLERY,
    GALLERY_CASE,
    NOTIFICATION,
    NOTIFICATION_LIST,
    PLAN,
    PLAN_DECISION,
    PLAN_FIGURES,
    PLAN_INPUT,
    PLAN_LIST,
    PLAN_OPEN,
    PLAN_ROW,
    PLAN_ROW_EDIT,
    PLAN_SUMMARY,
    PUBLICITY,
    PUBLICITY_INPUT,
    READ_ALL,
    REPORT,
    REPORT_CASE,
    REPORT_CASE_FILES,
    REPORT_CASE_INPUT,
    REPORT_INPUT,
    REPORT_LIST,
    REPORT_OPEN,
    REPORT_REVIEW,
    REPORT_SUMMARY,
    UNREAD_COUNT,
    URGE,
)
