"""The training project after 备案 (``bpmn/training_project.bpmn``): class start, advance, changes,
assessment, subsidy claim with its public notice, payment and refund; and the money per district and
budget year that these steps move (``funds``).

config.py (kind, statuses + labels, decisions, settings), funds.py (figures of a project by budget
year, running totals, reconciliation, the funds query), queries.py (a project's page, the public notices).
The use cases, one module per step: opening.py (start on 备案), class_report.py (开班报告), advance.py
(预支 and its payment), changes.py (变更 and applying a decided change), assessment.py (结业考核),
claim.py (补贴申领 and its payment), notice.py (公示 and objections), refund.py (退款); lookups.py (finding
a project, the ready task of a step, input refusals the steps share) and scripts.py (the diagram's
script helpers).

Every use case is one unit of work: lock the case, check the ready task and the actor, write the
project's record, move the money (``funds.moving``: the running totals change in the same transaction)
and advance the workflow. Review decisions go through ``cases.complete_task`` (the decisions in
``config.DECISIONS``); the diagram's scripts call the session-bound helpers (``scripts.script_helpers``),
which apply an approved change and publish the 公示.
"""
