"""The training filing (培训备案, SPEC R1-R9): the enterprise's use cases, the checks that bridge the
database to the pure rules, the statuses of its process and the roster import.

Modules: ``status`` (status codes and labels of ``bpmn/training_filing.bpmn``, the status groups the
figures count), ``use_cases`` (create, save, submit, withdraw), ``checks`` (automatic checks, fund plan,
the decision guards and the script helpers the diagram calls) and ``rosters`` (Excel roster import).
"""
