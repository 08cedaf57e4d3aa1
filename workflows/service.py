"""The web's only door: everything the views, the API and the CLI may call in ``workflows/``.

The web layer imports use cases, queries and the names its forms need from here and nowhere else in
``workflows/`` (the few kernel names everything may import aside: ``errors``, ``clock``, ``dto``,
``models``, ``db``). Nothing inside ``workflows/`` imports this module. The code lives in the kernel
(``cases``, ``queries``, ``features``) and in one package per area; this module names, grouped by
area, what of it the web may use, under names that say which area they belong to where a bare name
would be ambiguous (``get_report_case``, ``configure_plans``, ``PLAN_KIND``).

Each use case is one unit of work (``workflows.cases.unit_of_work``): lock the instance -> deserialize ->
check the task is READY and the actor may complete it -> run the engine -> serialize -> rewrite the task
index -> append the audit row -> commit once. Errors are ``workflows.errors``: NotFound (404, also out of
scope), Conflict (409), ValidationFailed (422, with field paths).
"""

# Imports are grouped by area (not sorted), so a reader finds an area's names together.
# ruff: noqa: I001

from __future__ import annotations

from pathlib import Path

from workflows import features
from workflows.engine import Engine, ProcessVersion, configure_engine

# Cases, tasks and timers (the kernel)
from workflows.cases import (
    Outcome,
    ReadyTask,
    TickReport,
    complete_task,
    get_case,
    may_complete,
    run_tick,
    scope_cases,
    tick,
)
from workflows.queries import (
    CaseFilters,
    CaseInfo,
    DISTRICT_FIGURE_RULES,
    OperationsFigures,
    operations_figures,
    case_diagram,
    case_infos,
    case_of_task,
    get_task,
    history,
    list_cases,
    list_filings,
    ready_tasks,
    status_counts,
    visible_checks,
)
from workflows.inbox.queries import (
    MAX_PER_PAGE as INBOX_MAX_PER_PAGE,
    SORTS as INBOX_SORTS,
    InboxRow,
    TaskCounts,
    TaskFilters,
    inbox,
    task_counts,
    task_page,
)
from workflows.features import DECISIONS, KIND_LABELS, PERIODIC_STATUS_LABELS, STATUS_LABELS, status_label
from workflows.engine import BpmnFileError

# Working on tasks: 认领 / 转办 / 退回组, batch decisions
from workflows.tasks.assignment import (
    assignee_names,
    assignee_of,
    claim as claim_task,
    colleagues as transfer_candidates,
    release as release_task,
    transfer as transfer_task,
)
from workflows.tasks.batch import ItemResult as BatchItemResult, batch_complete, labels as batch_labels

# Training filings
from workflows.filings.use_cases import (
    copy_filing,
    create_filing,
    delete_draft,
    filing_created_by,
    filing_of,
    filing_of_case,
    get_filing,
    save_filing,
    submit_filing,
    urge_filing,
    withdraw_filing,
)
from workflows.filings.attachments import (
    IncomingDocument,
    MAX_ATTACHMENTS,
    copy_with_documents as copy_filing_with_documents,
    add_attachment as add_filing_attachment,
    delete_attachment as delete_filing_attachment,
    document_to_serve as filing_document_to_serve,
    list_attachments as filing_attachments,
)
from workflows.filings.checks import job_post_results
from workflows.filings.receipt import (
    FontMissing,
    Verification,
    find_font as receipt_font,
    receipt_data,
    render as render_receipt,
    verify as verify_receipt,
)
from workflows.filings.status import ORDER as FILING_STATUS_ORDER
from workflows.filings.totals import Difference as TotalsDifference, reconcile as reconcile_totals
from workflows.filings.status import FilingActions, actions as filing_actions, actions_of as filing_actions_of
from workflows.filings.rosters import (
    COLUMNS as ROSTER_COLUMNS,
    TYPE_REQUIRED as ROSTER_TYPE_REQUIRED,
    IMPORT_MODES as ROSTER_IMPORT_MODES,
    editable_filing,
    import_roster,
    parse_upload as parse_roster,
    template as roster_template,
)
from workflows.exports.cases import export_cases
from workflows.filings.checks import live_figures
from workflows.filings.progress import DistrictDecision, Progress, district_decision, progress as filing_progress
from workflows.filings.rounds import RoundDiff, latest_diff as filing_round_diff, rounds_of as filing_rounds
from workflows.rules.ids import APPRENTICESHIP_TYPES, ATTACHMENT_KINDS, COURSE_CATEGORIES, LEVELS
from workflows.rules.inputs import DATE_FORMS_HINT, DATE_PATTERN, parse_date_text
from workflows.rules.money import format_share, period_months, subsidy_fen, year_split_fen

# Catalogues and policy parameters
from workflows.catalogue.reads import (
    CATALOGUE_LABELS,
    illustrative_in_use,
    is_loaded as catalogue_loaded,
    occupation_options,
    occupation_rows,
    sources as catalogue_sources,
    occupations,
    textbook_rows,
    textbooks,
    use_session as use_catalogue_session,
)
from workflows.catalogue.admin import (
    OccupationInput,
    Source as CatalogueSourceInput,
    TextbookInput,
    import_csv_files as import_catalogue_files,
    split_list,
)
from workflows.catalogue.excel import occupation_template, textbook_template
from workflows.policy import (
    UPLIFT_LEVELS,
    PolicyInput,
    VERSION_STATES as POLICY_VERSION_STATES,
    add_version as add_policy_version,
    dmn_default_rates,
    in_force as policy_in_force,
    input_from as policy_input_from,
    rate_key,
    version_in_force,
    version_state,
    versions as policy_versions,
)

# The working-day calendar (holidays and make-up working days, per year)
from workflows.workdays.table import (
    STATUS_LABELS as HOLIDAY_STATUS_LABELS,
    days_of as holiday_days,
    refresh as refresh_calendar,
    seed as seed_calendar,
    unconfirmed_years,
    years as holiday_years,
)
from workflows.workdays.admin import YearInput as HolidayYearInput, estimated_deadlines, save_year as save_holiday_year

# Quarterly plans
from workflows.plans.use_cases import (
    PlanEdit,
    PlanRowEdit,
    decide_plan,
    open_missing,
    open_plan,
    refresh_plan,
    save_plan,
    submit_plan,
    urge_plan,
)
from workflows.plans.config import (
    ACTION_LABELS as PLAN_ACTION_LABELS,
    KIND as PLAN_KIND,
    PLAN_STATUS_LABELS,
    configure as configure_plans,
    plan_title,
)
from workflows.plans.compile import figures as plan_figures
from workflows.plans.queries import (
    PlanFilters,
    diagram as plan_diagram,
    district_plans,
    find_plans,
    get_plan,
    plan_by_id,
    quarter_overview,
    ready_task as plan_ready_task,
)
from workflows.plans.export import export_plan, export_quarter
from workflows.deadlines import can_urge, is_overdue, parse_quarter_key, quarter_key, quarter_of

# Semiannual reports and the gallery
from workflows.reports.config import (
    KIND as REPORT_KIND,
    STATUS_LABELS as REPORT_STATUS_LABELS,
    configure as configure_reports,
)
from workflows.reports.opening import open_report
from workflows.reports.queries import (
    ReportFilters,
    ReportView,
    diagram_xml as report_diagram_xml,
    find_reports,
    get_case as get_report_case,
    get_report,
    is_accepted,
    list_reports,
    report_for_case,
    report_view,
)
from workflows.reports.editing import (
    CaseData as ReportCaseData,
    add_case_files as add_report_case_files,
    delete_case as delete_report_case,
    remove_attachment,
    save_case as save_report_case,
    save_summary,
)
from workflows.reports.files import Incoming as IncomingFile, file_to_serve
from workflows.reports.publicity import PublicityData, add_publicity, delete_publicity
from workflows.reports.review import mark_excellent, review_report, submit_errors, submit_report, urge_report
from workflows.reports.gallery import GalleryFilters, gallery, gallery_options
from workflows.uploads.formats import FORMATS, UploadLimits, human_size
from workflows.uploads.names import content_disposition
from workflows.uploads.storage import discard as discard_files, spool_dir
from workflows.spreadsheets import SpreadsheetInvalid, XLSX_MIMETYPE

# Training projects and their money (issue 16)
from workflows.projects.config import (
    ACTIONS as PROJECT_ACTIONS,
    KIND as PROJECT_KIND,
    STATUS_LABELS as PROJECT_STATUS_LABELS,
)
from workflows.projects.lookups import get_project, project_for_filing, project_of_instance
from workflows.projects.class_report import report_class_start
from workflows.projects.advance import max_advance_fen, record_advance_payment, request_advance
from workflows.projects.changes import ChangeRequest, request_change
from workflows.projects.assessment import AssessmentResult, submit_assessment
from workflows.projects.claim import record_claim_payment, submit_claim
from workflows.projects.notice import raise_objection
from workflows.projects.refund import confirm_refund, refund_due_fen, report_refund
from workflows.projects.queries import ProjectView, project_view, public_notices
from workflows.projects.funds import FundsRow, Mismatch, funds as fund_figures, reconcile as reconcile_funds
from workflows.models.project import CHANGE_KINDS, OUTCOMES, PAYMENT_KINDS
from workflows.filings.checks import is_shortage
from workflows.rules.ids import occupations_csv

# The dashboard
from workflows.dashboard.overview import Overview, overview as dashboard_overview
from workflows.dashboard.figures import current_year
from workflows.dashboard.status import PERIOD_LABELS, PeriodCell

# Notifications
from workflows.notifications.inbox import (
    list_for as notifications_for,
    mark_all_read as mark_all_notifications_read,
    mark_read as mark_notification_read,
    unread_count,
)

from workflows.notifications.channels import (
    DrainResult,
    channel_status,
    configure as configure_channels,
    drain as deliver_outbox,
    failed_messages as outbox_failures,
    pending_count as outbox_pending,
    preferences as notification_preferences,
    save_preferences as save_notification_preferences,
)
from workflows.models.notification import CHANNELS as NOTIFICATION_CHANNELS, NOTIFICATION_KINDS

# Accounts, tokens and administration
from workflows.accounts.users import (
    Lockout,
    SignIn,
    authenticate,
    change_password,
    check_new_password,
    complete_sign_in,
    create_user,
    register_user,
    session_expired,
    sign_out,
)
from workflows.accounts.passwords import RULES as PASSWORD_RULES, problems as password_problems
from workflows.accounts.tokens import (
    DEFAULT_HOURS as TOKEN_DEFAULT_HOURS,
    issue as issue_token,
    resolve as resolve_token,
    revoke as revoke_token,
    revoke_user_tokens,
)
from workflows.accounts.admin.access import require as require_role
from workflows.accounts.admin.overview import overview as admin_overview
from workflows.accounts.admin.users import (
    UserInput,
    create_user as admin_create_user,
    end_user_sessions,
    list_users,
    reset_password,
    set_user_active,
    unlock_user,
)
from workflows.accounts.admin.year_plans import save_year_plans, year_plans
from workflows.accounts.admin.enterprises import (
    EnterpriseInput,
    district_assignment_warning,
    enterprise_names,
    get_enterprise,
    list_enterprises,
    save_enterprise,
)
from workflows.accounts.admin.processes import STUCK_TIMER_GRACE, process_versions, stuck_instances
from workflows.accounts.admin.catalogues import (
    catalogue_view,
    delete_catalogue_entry,
    filings_per_policy_version,
    import_occupations as admin_import_occupations,
    import_textbooks as admin_import_textbooks,
    load_shipped_catalogues,
    save_occupation as admin_save_occupation,
    save_textbook as admin_save_textbook,
)

# The security log (安全审计) and the tamper-evident chains
from workflows.security.log import (
    ACTIONS as SECURITY_ACTIONS,
    RETENTION_DAYS as SECURITY_RETENTION_DAYS,
    SecurityFilters,
    detail_of as security_detail,
    export_events as export_security_log,
    list_events as security_events,
    record as security_record,
    record_actor as security_record_actor,
)
from workflows.security.verify import Report as AuditReport, verify as verify_audit
from workflows.demo import ensure_districts, id_number, seed as seed_demo

# Personal data (resident ID numbers: encrypted at rest, masked, revealed by a logged action) and the security log
from workflows.security.pii import (
    PiiKeyError,
    generate_key as generate_pii_key,
    install as install_pii_key,
    load_key as load_pii_key,
    read_key_file as read_pii_key_file,
    parse_key as parse_pii_key,
)
from workflows.security.rotation import Rotation as PiiRotation, rotate as rotate_pii_key
from workflows.security.exposure import (
    PersonShown,
    REVEAL_PARAM as ID_REVEAL_PARAM,
    editing_own as shows_own_ids_in_full,
    may_reveal as may_reveal_ids,
    reveal_id_numbers,
    shown as trainees_shown,
)
from workflows.rules.ids import mask_id_number
from workflows.paging import page_number


def configure(bpmn_dir: str | Path) -> None:
    """Start-up: parse the diagrams once and register every feature (``workflows.features``)."""
    configure_engine(bpmn_dir)
    features.install()


def configure_pii(key: str = "", key_file: str = "", dev_dir: str | Path | None = None) -> None:
    """Start-up: install the key resident ID numbers are encrypted with (``PII_KEY``, else ``PII_KEY_FILE``,
    else in development ``<dev_dir>/pii.key``, made on first run). PiiKeyError when none is given."""
    install_pii_key(load_pii_key(key, key_file, dev_dir))


def validate_diagrams(bpmn_dir: str | Path) -> dict[str, ProcessVersion]:
    """Parse every diagram in ``bpmn_dir`` with SpiffWorkflow's XSD validator (``flask workflows
    validate``); BpmnFileError lists every problem."""
    return Engine(bpmn_dir).load()


__all__ = [
    "BatchItemResult", "RoundDiff", "batch_labels", "assignee_names", "assignee_of", "batch_complete", "claim_task",
    "filing_round_diff",
    "DrainResult", "NOTIFICATION_CHANNELS", "NOTIFICATION_KINDS", "channel_status", "configure_channels",
    "deliver_outbox", "notification_preferences", "outbox_failures", "outbox_pending",
    "save_notification_preferences",
    "export_cases",
    "DistrictDecision", "Progress", "district_decision", "filing_progress",
    "filing_rounds", "live_figures", "release_task", "transfer_candidates", "transfer_task", "urge_filing",
    "PROJECT_ACTIONS", "PROJECT_KIND", "PROJECT_STATUS_LABELS", "AssessmentResult", "ChangeRequest", "confirm_refund",
    "get_project", "max_advance_fen", "project_for_filing", "project_of_instance", "raise_objection",
    "record_advance_payment", "record_claim_payment", "refund_due_fen", "report_class_start", "report_refund",
    "request_advance", "request_change", "submit_assessment", "submit_claim", "ProjectView", "project_view",
    "public_notices", "FundsRow", "Mismatch", "fund_figures", "reconcile_funds", "CHANGE_KINDS", "OUTCOMES",
    "PAYMENT_KINDS", "is_shortage", "occupations_csv",
    "AuditReport", "Lockout", "PASSWORD_RULES", "SECURITY_ACTIONS", "SECURITY_RETENTION_DAYS", "SecurityFilters",
    "SignIn",
    "change_password", "check_new_password", "complete_sign_in", "end_user_sessions", "export_security_log",
    "password_problems", "register_user", "reset_password", "security_detail", "security_events", "security_record",
    "security_record_actor", "session_expired", "sign_out", "unlock_user", "verify_audit",
    "TickReport", "run_tick", "OperationsFigures", "operations_figures",
    "TotalsDifference", "reconcile_totals",
    "Outcome", "ReadyTask", "INBOX_MAX_PER_PAGE", "INBOX_SORTS", "InboxRow", "TaskCounts", "TaskFilters",
    "task_counts", "task_page",
    "FilingActions", "filing_actions", "filing_actions_of",
    "CATALOGUE_LABELS", "CatalogueSourceInput", "admin_import_occupations", "catalogue_sources",
    "illustrative_in_use", "occupation_options", "occupation_template",
    "district_assignment_warning", "HOLIDAY_STATUS_LABELS", "HolidayYearInput", "estimated_deadlines",
    "holiday_days", "holiday_years",
    "refresh_calendar", "save_holiday_year", "seed_calendar", "unconfirmed_years",
    "ATTACHMENT_KINDS", "DATE_FORMS_HINT", "DATE_PATTERN", "FontMissing", "IncomingDocument", "MAX_ATTACHMENTS",
    "ROSTER_IMPORT_MODES", "Verification", "add_filing_attachment", "copy_filing", "copy_filing_with_documents",
    "delete_draft",
    "delete_filing_attachment", "filing_attachments", "filing_created_by", "filing_document_to_serve",
    "job_post_results", "parse_date_text", "parse_roster", "receipt_data", "receipt_font", "render_receipt",
    "verify_receipt", "discard_files",
    "APPRENTICESHIP_TYPES", "COURSE_CATEGORIES", "DECISIONS", "DISTRICT_FIGURE_RULES", "FILING_STATUS_ORDER",
    "FORMATS", "KIND_LABELS", "LEVELS", "PERIODIC_STATUS_LABELS", "PERIOD_LABELS", "PLAN_ACTION_LABELS", "PLAN_KIND",
    "PLAN_STATUS_LABELS", "POLICY_VERSION_STATES", "REPORT_KIND", "REPORT_STATUS_LABELS", "ROSTER_COLUMNS",
    "ROSTER_TYPE_REQUIRED", "STATUS_LABELS", "STUCK_TIMER_GRACE", "TOKEN_DEFAULT_HOURS", "XLSX_MIMETYPE",
    "ID_REVEAL_PARAM", "PersonShown", "PiiKeyError", "PiiRotation", "configure_pii", "generate_pii_key",
    "install_pii_key", "load_pii_key", "mask_id_number", "may_reveal_ids", "page_number", "parse_pii_key",
    "read_pii_key_file", "reveal_id_numbers", "rotate_pii_key", "shows_own_ids_in_full",
    "trainees_shown",
    "BpmnFileError", "CaseFilters", "CaseInfo", "EnterpriseInput", "GalleryFilters", "IncomingFile",
    "OccupationInput", "Overview", "PeriodCell", "PlanEdit", "PlanFilters", "PlanRowEdit", "PolicyInput",
    "PublicityData", "ReportCaseData", "ReportFilters", "ReportView", "SpreadsheetInvalid", "TextbookInput",
    "UploadLimits", "UserInput", "add_policy_version", "add_publicity", "add_report_case_files", "admin_create_user",
    "admin_import_textbooks", "admin_overview", "admin_save_occupation", "admin_save_textbook", "authenticate",
    "can_urge", "case_diagram", "case_infos", "case_of_task", "catalogue_loaded", "catalogue_view", "complete_task",
    "configure", "configure_plans", "configure_reports", "content_disposition", "create_filing", "create_user",
    "current_year", "dashboard_overview", "decide_plan", "delete_catalogue_entry", "delete_publicity",
    "delete_report_case", "district_plans", "dmn_default_rates", "editable_filing", "ensure_districts",
    "enterprise_names", "export_plan", "export_quarter", "file_to_serve", "filing_of", "filing_of_case",
    "filings_per_policy_version", "find_plans", "find_reports", "format_share", "gallery", "gallery_options",
    "get_case", "get_enterprise", "get_filing", "get_plan", "get_report", "get_report_case", "get_task", "history",
    "human_size", "id_number", "import_catalogue_files", "import_roster", "inbox", "is_accepted", "is_overdue",
    "issue_token", "list_cases", "list_enterprises", "list_filings", "list_reports", "list_users",
    "load_shipped_catalogues", "mark_all_notifications_read", "mark_excellent", "mark_notification_read",
    "may_complete", "notifications_for", "occupation_rows", "occupations", "open_missing", "open_plan", "open_report",
    "parse_quarter_key", "period_months", "plan_by_id", "plan_diagram", "plan_figures", "plan_ready_task",
    "plan_title", "policy_in_force", "policy_input_from", "policy_versions", "process_versions", "quarter_key",
    "quarter_of", "quarter_overview", "rate_key", "UPLIFT_LEVELS", "ready_tasks", "refresh_plan", "remove_attachment",
    "report_diagram_xml", "report_for_case", "report_view", "require_role", "resolve_token", "review_report",
    "revoke_token", "revoke_user_tokens", "roster_template", "save_enterprise", "save_filing", "save_plan",
    "save_report_case", "save_summary", "save_year_plans", "scope_cases", "seed_demo", "set_user_active",
    "split_list", "spool_dir", "status_counts", "status_label", "stuck_instances", "submit_errors", "submit_filing",
    "submit_plan", "submit_report", "subsidy_fen", "year_split_fen",
    "textbook_rows", "textbook_template", "textbooks", "tick",
    "unread_count", "urge_plan", "urge_report", "use_catalogue_session", "validate_diagrams", "version_in_force",
    "version_state", "visible_checks", "withdraw_filing", "year_plans",
]
