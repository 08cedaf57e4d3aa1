"""The city dashboard (全市概览, SPEC R3-R6 and R12): read-only figures for the whole city or one district.

Every figure is a SQL aggregate (GROUP BY over indexed columns) returning at most a few hundred rows
(districts x statuses, districts x roles, size classes x tag sets); nothing here loads a workflow,
deserializes state, or loops in Python over the cases themselves, so the page stays fast at 100,000
cases. Definitions match the review screen (``workflows.filings``): a filing counts towards a district's
year figures while it is under review, waiting for the city or recorded (``COUNTED``); its subsidy is
committed once the district has approved it (``COMMITTED``).

Scope (SPEC section 2): city staff and admins see the whole city and may narrow it to one district;
a district reviewer sees only their own district; anyone else gets ``NotFound`` (404).

Modules: ``figures`` (R3-R6 year figures), ``status`` (filings by status, ready tasks, plans and
reports), ``scope`` and ``overview`` (assembles the page).
"""
