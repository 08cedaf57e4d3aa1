"""The admin area's use cases (系统管理), one module per thing administered: ``access`` (the role guard),
``users`` (accounts: list, create, deactivate, reset password, unlock, sign out everywhere),
``year_plans`` (district budgets and headcounts), ``enterprises`` (enterprise profiles), ``processes``
(deployed process versions, instances that need attention), ``catalogues`` (catalogue edits and imports,
policy versions) and ``overview`` (the admin home page's counts).

Who may do what (anything else is NotFound, as everywhere): users are admin only; year plans and
enterprise profiles are city staff and admins; catalogues and policy versions are edited by admins
and read by city staff; process versions and stuck instances are admin only.
"""
