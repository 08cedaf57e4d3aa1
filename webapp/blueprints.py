"""Registers every feature blueprint (one per area)."""

from __future__ import annotations

import importlib

from flask import Flask, redirect, url_for
from flask_login import current_user

# Each entry is a module exposing `bp`; features add themselves here.
BLUEPRINTS = [
    "webapp.auth.views",
    "webapp.api",
    "webapp.api.docs",
    "webapp.filings.views",
    "webapp.tasks.views",
    "webapp.cases.views",
    "webapp.reports.views",
    "webapp.admin.views",
    "webapp.rosters.views",
    "webapp.dashboard.views",
    "webapp.plans.views",
    "webapp.notifications.views",
    "webapp.projects.views",
]


def register_blueprints(app: Flask) -> None:
    for name in BLUEPRINTS:
        app.register_blueprint(importlib.import_module(name).bp)

    @app.route("/")
    def home():  # type: ignore[no-untyped-def]
        if not current_user.is_authenticated:
            return redirect(url_for("auth.login"))
        for endpoint in {"enterprise": ["filings.index"], "district": ["tasks.inbox"],
                         "city": ["dashboard.index", "tasks.inbox"], "admin": ["admin.index", "cases.index"]
                         }.get(current_user.role, []):
            if endpoint in app.view_functions:
                return redirect(url_for(endpoint))
        return redirect(url_for("auth.me"))
