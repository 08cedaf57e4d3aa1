"""The domain checks of SPEC.md section 4: hard rules block a submission, soft rules inform the reviewer.

Pure functions over plain dataclasses: no database, no Flask, no SpiffWorkflow, no I/O. The filing
checks (``workflows.filings.checks``) load the catalogues and the district's figures, build a
``FilingInput`` and call ``hard.hard_checks`` (all failures at once, each naming its field),
``soft.soft_checks`` (one result per soft rule, figures in ``details``) and, at approval,
``money.budget_check``. Messages are Simplified Chinese; amounts are integer fen; shares in ``details``
are floats rounded to 4 places.

Modules: ``inputs`` (inputs, parameters and ``CheckResult``), ``ids`` (identifiers, catalogue parsing,
vocabularies), ``job_post`` (R2 matching), ``hard``, ``soft`` and ``money`` (R5, periods, formatting).
"""
