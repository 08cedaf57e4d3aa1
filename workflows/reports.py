"""Use cases of the semiannual experience report (半年经验总结报告, SPEC R10) and its typical-case gallery.

* One case per district per half-year (kind ``semiannual_report``, business key ``440112-2027H1``),
  opened by the period opener when the half-year ends (``service.tick`` with ``open_periods``); the
  diagram ``bpmn/semiannual_report.bpmn`` computes the due date (day ``due_day`` of the following month),
  sends the reminder, the overdue escalation and urges through ``notify_role`` like quarterly plans.
* The district writes the summary, typical cases (with pictures, videos, documents) and publicity items
  while its task is ready (状态 compiling / returned), then submits; the city accepts (已接收) or asks for
  more with a comment, any number of rounds. Accepted cases form the gallery; the city marks 优秀案例.
* Files go through ``workflows.uploads`` before the database is touched; if anything is refused or the
  unit of work fails, every file written for the request is deleted again. Whatever has been submitted
  once (``locked``) can no longer be removed.

Re-exported by ``workflows.service``.

This module is the public face of the reports; the code lives by responsibility in ``reports_config``
(constants, settings, periods), ``reports_opening``, ``reports_queries`` (reading, scope),
``reports_files`` (receiving and serving files), ``reports_editing`` (summary and typical cases),
``reports_publicity``, ``reports_review`` (submission, acceptance, urging, 优秀案例) and
``reports_gallery``, all re-exported here. Importing it registers the half-year opener.
"""

from __future__ import annotations

from workflows import uploads
from workflows.models.report_models import PublicityItem, ReportAttachment, ReportCase, SemiannualReport
from workflows.reports_config import (
    EDITABLE,
    KIND,
    MAX_CASES,
    MAX_FILES_PER_CASE,
    MAX_PUBLICITY,
    PROCESS_ID,
    SETTINGS,
    STATUS_LABELS,
    ReportSettings,
    business_key,
    configure,
    half_of,
    last_ended_half,
    parse_period_key,
    period_key,
    period_label,
    status_label,
)
from workflows.reports_editing import (
    CaseData,
    add_case_files,
    delete_case,
    remove_attachment,
    save_case,
    save_summary,
)
from workflows.reports_files import FileToServe, Incoming, file_to_serve
from workflows.reports_gallery import GalleryFilters, GalleryOptions, gallery, gallery_options
from workflows.reports_opening import open_ended_half_year, open_report
from workflows.reports_publicity import PublicityData, add_publicity, delete_publicity
from workflows.reports_queries import (
    ReportFilters,
    ReportRow,
    ReportView,
    diagram_xml,
    find_reports,
    get_case,
    get_report,
    is_accepted,
    list_reports,
    report_for_case,
    report_view,
    scope_reports,
)
from workflows.reports_review import mark_excellent, review_report, submit_errors, submit_report, urge_report
from workflows.service import Conflict, NotFound, ValidationFailed

_accepted = is_accepted  # the old private name, still used by the gallery's case page

__all__ = [
    "EDITABLE", "KIND", "MAX_CASES", "MAX_FILES_PER_CASE", "MAX_PUBLICITY", "PROCESS_ID", "SETTINGS",
    "STATUS_LABELS", "CaseData", "Conflict", "FileToServe", "GalleryFilters", "GalleryOptions", "Incoming",
    "NotFound", "PublicityData", "PublicityItem", "ReportAttachment", "ReportCase", "ReportFilters", "ReportRow",
    "ReportSettings", "ReportView", "SemiannualReport", "ValidationFailed", "add_case_files", "add_publicity",
    "business_key", "configure", "delete_case", "delete_publicity", "diagram_xml", "file_to_serve",
    "find_reports", "gallery", "gallery_options", "get_case", "get_report", "half_of", "is_accepted",
    "last_ended_half", "list_reports", "mark_excellent", "open_ended_half_year", "open_report",
    "parse_period_key", "period_key", "period_label", "remove_attachment", "report_for_case", "report_view",
    "review_report", "save_case", "save_summary", "scope_reports", "status_label", "submit_errors",
    "submit_report", "uploads", "urge_report",
]
