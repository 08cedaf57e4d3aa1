"""The domain checks of SPEC.md section 4: hard rules block a submission, soft rules inform the reviewer.

Pure functions over plain dataclasses: no database, no Flask, no SpiffWorkflow, no I/O. The service
layer loads the catalogues and the district's figures, builds a ``FilingInput`` and calls
``hard_checks`` (all failures at once, each naming its field), ``soft_checks`` (one result per soft
rule, figures in ``details``) and, at approval, ``budget_check``. Identifier checks live in
``workflows.rules_ids`` and are re-exported here. Messages are Simplified Chinese; amounts are
integer fen; shares in ``details`` are floats rounded to 4 places.

This module is the public face of the rules; the code lives by responsibility in ``rules_types``
(inputs and ``CheckResult``), ``rules_job_post`` (R2 matching), ``rules_hard``, ``rules_soft`` and
``rules_money`` (R5 and formatting), all re-exported here.
"""

from __future__ import annotations

from workflows.rules_hard import hard_checks
from workflows.rules_ids import (
    APPRENTICESHIP_TYPES,
    COURSE_CATEGORIES,
    GUANGZHOU_AREAS,
    INSTITUTION_TYPES,
    LEVELS,
    Occupation,
    Textbook,
    add_years,
    area_label,
    credit_code_area,
    credit_code_error,
    id_birth_date,
    id_number_error,
    is_guangzhou_area,
    isbn_error,
    load_occupations_csv,
    load_textbooks_csv,
    normalize_credit_code,
    normalize_id_number,
    normalize_isbn,
    occupations_by_code,
    textbooks_by_isbn,
)
from workflows.rules_job_post import job_post_match, shared_job_post_tokens
from workflows.rules_money import budget_check, fen_to_yuan_str, format_share, period_years, subsidy_fen
from workflows.rules_soft import soft_checks
from workflows.rules_types import (
    ActiveEnrolment,
    CheckResult,
    CourseInput,
    DistrictYearFigures,
    FilingInput,
    Params,
    TraineeInput,
)

__all__ = [
    "GUANGZHOU_AREAS", "add_years", "area_label", "credit_code_area", "credit_code_error",
    "id_birth_date", "id_number_error", "is_guangzhou_area", "isbn_error", "normalize_credit_code",
    "normalize_id_number", "normalize_isbn",
    "APPRENTICESHIP_TYPES", "LEVELS", "COURSE_CATEGORIES", "INSTITUTION_TYPES",
    "CheckResult", "Occupation", "Textbook", "load_occupations_csv", "load_textbooks_csv",
    "occupations_by_code", "textbooks_by_isbn", "job_post_match",
    "TraineeInput", "CourseInput", "FilingInput", "ActiveEnrolment", "Params", "DistrictYearFigures",
    "hard_checks", "soft_checks", "budget_check", "period_years", "subsidy_fen", "fen_to_yuan_str",
    "format_share", "shared_job_post_tokens",
]
