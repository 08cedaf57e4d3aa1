"""The semiannual experience report (半年经验总结报告, SPEC R10) and its typical-case gallery.

* One case per district per half-year (kind ``semiannual_report``, business key ``440112-2027H1``),
  opened by the period opener when the half-year ends (``tick`` with ``open_periods``); the diagram
  ``bpmn/semiannual_report.bpmn`` computes the due date (day ``due_day`` of the following month), sends
  the reminder, the overdue escalation and urges through ``notify_role`` like quarterly plans.
* The district writes the summary, typical cases (with pictures, videos, documents) and publicity items
  while its task is ready (状态 compiling / returned), then submits; the city accepts (已接收) or asks for
  more with a comment, any number of rounds. Accepted cases form the gallery; the city marks 优秀案例.
* Files go through ``workflows.uploads`` before the database is touched; if anything is refused or the
  unit of work fails, every file written for the request is deleted again. Whatever has been submitted
  once (``locked``) can no longer be removed.

Modules: ``config`` (kind, statuses, decisions, settings, periods), ``opening``, ``queries`` (reading,
scope), ``files`` (receiving and serving files), ``editing`` (summary and typical cases), ``publicity``,
``review`` (submission, acceptance, urging, 优秀案例) and ``gallery``.
"""
