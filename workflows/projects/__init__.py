"""The training project after 备案 (``bpmn/training_project.bpmn``): class start, advance, changes,
assessment, subsidy claim with its public notice, payment and refund; and the money per district and
budget year that these steps move (``funds``).

config.py (kind, statuses + labels, decisions, settings), funds.py (figures of a project by budget
year, running totals, reconciliation, the funds query), use_cases.py (start on 备案, each step, the
script helpers), queries.py (a project's page, the public notices).
"""
