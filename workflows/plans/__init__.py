"""The quarterly district plan (区季度培训计划, SPEC R11 with R3-R5).

One instance of ``bpmn/quarterly_plan.bpmn`` per district per quarter (business key ``440106-2027Q1``),
opened automatically when the quarter begins (``use_cases.open_quarter_plans``, a period opener run by
``tick(..., open_periods=True)``) or by city staff by hand. Its rows are pre-filled from the district's
filings under review or approved whose training period overlaps the quarter; the district includes or
excludes each with a reason, adds notes and submits; the diagram checks the plan (``run_plan_checks``),
flags a plan that leaves the year below the R3 minimum to the city, and the city records it or returns it.

Modules: ``config`` (kind, statuses, decisions, settings), ``compile`` (rows, figures, checks),
``queries`` (reading), ``use_cases`` (opening, compiling, recording) and ``export`` (Excel). What the
plan registers (script helpers, its decision, its opener) is listed in ``workflows.features``.
"""
