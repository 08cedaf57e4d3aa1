"""SQLAlchemy 2.0 typed models. Importing this package registers every table on Base.metadata."""

from workflows.models.engine import AuditEvent, SpecVersion, TaskIndex, WorkflowInstance
from workflows.models.filing import Course, Filing, Trainee
from workflows.models.org import DISTRICTS, District, Enterprise, User
from workflows.models.plan import DistrictYearPlan
from workflows.models.token import ApiToken

__all__ = [
    "ApiToken",
    "DISTRICTS",
    "AuditEvent",
    "Course",
    "District",
    "DistrictYearPlan",
    "Enterprise",
    "Filing",
    "SpecVersion",
    "TaskIndex",
    "Trainee",
    "User",
    "WorkflowInstance",
]
