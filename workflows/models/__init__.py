"""SQLAlchemy 2.0 typed models. Importing this package registers every table on Base.metadata."""

from workflows.models.calendar import EstimatedDeadline, HolidayDay, HolidayYear
from workflows.models.catalogue import CatalogueRevision, CatalogueSource, Occupation, PolicyVersion, Textbook
from workflows.models.engine import AuditEvent, SpecVersion, TaskIndex, WorkflowInstance
from workflows.models.filing import Course, Filing, FilingAttachment, FilingRound, Trainee
from workflows.models.notification import (
    CHANNELS,
    NOTIFICATION_KINDS,
    Notification,
    NotificationPreference,
    OutboxMessage,
)
from workflows.models.org import DISTRICTS, District, Enterprise, PasswordHistory, User
from workflows.models.plan import DistrictYearFigure, DistrictYearPlan
from workflows.models.project import (
    FundTotal,
    ProjectChange,
    ProjectObjection,
    ProjectPayment,
    ProjectTrainee,
    TrainingProject,
)
from workflows.models.quarterly_plan import QuarterlyPlan, QuarterlyPlanRow
from workflows.models.report_models import PublicityItem, ReportAttachment, ReportCase, SemiannualReport
from workflows.models.security import SecurityChainHead, SecurityEvent
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
    "CatalogueSource",
    "Course",
    "District",
    "DistrictYearFigure",
    "EstimatedDeadline",
    "DistrictYearPlan",
    "Enterprise",
    "Filing",
    "FilingAttachment",
    "HolidayDay",
    "HolidayYear",
    "FundTotal",
    "NOTIFICATION_KINDS",
    "Notification",
    "Occupation",
    "PasswordHistory",
    "PolicyVersion",
    "ProjectChange",
    "ProjectObjection",
    "ProjectPayment",
    "ProjectTrainee",
    "PublicityItem",
    "QuarterlyPlan",
    "QuarterlyPlanRow",
    "ReportAttachment",
    "ReportCase",
    "SecurityChainHead",
    "SecurityEvent",
    "SemiannualReport",
    "SpecVersion",
    "TaskIndex",
    "Textbook",
    "Trainee",
    "TrainingProject",
    "User",
    "WorkflowInstance",
]
