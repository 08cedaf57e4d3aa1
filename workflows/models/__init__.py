"""SQLAlchemy 2.0 typed models. Importing this package registers every table on Base.metadata."""

from workflows.models.catalogue import CatalogueRevision, Occupation, PolicyVersion, Textbook
from workflows.models.engine import AuditEvent, SpecVersion, TaskIndex, WorkflowInstance
from workflows.models.filing import Course, Filing, FilingAttachment, FilingRound, Trainee
from workflows.models.notification import (
    CHANNELS,
    NOTIFICATION_KINDS,
    Notification,
    NotificationPreference,
    OutboxMessage,
)
from workflows.models.org import DISTRICTS, District, Enterprise, User
from workflows.models.plan import DistrictYearFigure, DistrictYearPlan
from workflows.models.quarterly_plan import QuarterlyPlan, QuarterlyPlanRow
from workflows.models.report_models import PublicityItem, ReportAttachment, ReportCase, SemiannualReport
from workflows.models.security import SecurityEvent
from workflows.models.token import ApiToken

__all__ = [
    "ApiToken",
    "CHANNELS",
    "FilingRound",
    "NotificationPreference",
    "OutboxMessage",
    "DISTRICTS",
    "AuditEvent",
    "CatalogueRevision",
    "Course",
    "District",
    "DistrictYearFigure",
    "DistrictYearPlan",
    "Enterprise",
    "Filing",
    "FilingAttachment",
    "NOTIFICATION_KINDS",
    "Notification",
    "Occupation",
    "PolicyVersion",
    "PublicityItem",
    "QuarterlyPlan",
    "QuarterlyPlanRow",
    "ReportAttachment",
    "ReportCase",
    "SecurityEvent",
    "SemiannualReport",
    "SpecVersion",
    "TaskIndex",
    "Textbook",
    "Trainee",
    "User",
    "WorkflowInstance",
]
