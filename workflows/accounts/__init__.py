"""Accounts: users and passwords (``users``, ``passwords``), API tokens (``tokens``) and the administrator's
use cases over users, enterprises, year plans, process versions and catalogues (``admin``).
"""
