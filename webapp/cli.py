"""Flask commands: init-db, seed-demo, workflows validate / tick / scheduler / reconcile, users."""

from __future__ import annotations

import getpass
import logging
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

import click
from flask import Flask, current_app
from flask.cli import AppGroup

from webapp.extensions import db, db_session
from webapp.ops import metrics, schema
from workflows import errors, service

log = logging.getLogger("workflows.tick")


def _parse_now(value: str | None) -> datetime | None:
    if not value:
        return None
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError as exc:
        raise click.BadParameter(f"时间格式应为 ISO-8601，例如 2027-01-11T09:00:00+08:00: {value}") from exc
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def backoff_seconds(failures: int, every: int, ceiling: int) -> float:
    """After the n-th failure in a row wait base * 2**(n-1) seconds (base: the interval, at most 5 s), never more
    than ``ceiling``: a database that is down is asked less and less often, and the loop never exits."""
    return float(min(max(ceiling, 1), max(1, min(every, 5)) * 2 ** (failures - 1)))


def run_tick(app: Flask, at: datetime | None = None) -> service.TickReport:
    """One tick with its log line and metrics (the CLI, the scheduler and the web's background thread)."""
    started = time.perf_counter()
    service.refresh_calendar(db_session())  # the admins' current holiday calendar, every round
    report = service.run_tick(db_session(), at, open_periods=app.config.get("PERIOD_AUTO_OPEN", True))
    metrics.observe_tick(report)
    service.deliver_outbox(db_session(), at)  # e-mails and webhooks of the steps that just committed
    log.info("tick: %s fired, %s failed", report.fired, report.failed, extra={"fields": {
        "due": report.due, "fired": report.fired, "failed": report.failed, "skipped": report.skipped,
        "opened": report.opened, "duration_ms": round((time.perf_counter() - started) * 1000, 1)}})
    return report


def register_cli(app: Flask) -> None:
    @app.cli.command("init-db")
    def init_db() -> None:
        """Apply database migrations (creates the database on first run; adopts the old 79d457bd8f7f stamp),
        then fill the holiday calendar for the years the libraries know that the table does not hold yet."""
        from flask_migrate import upgrade

        adoption = schema.adopt_legacy_stamp(db.engine)
        if adoption.problems:
            click.echo(f"数据库记录的迁移版本 {adoption.stamp} 已不存在，且其结构与基线 {schema.BASELINE} 不一致，"
                       "未做任何修改：", err=True)
            for problem in adoption.problems:
                click.echo(f"  {problem}", err=True)
            sys.exit(1)
        if adoption.stamp:
            click.echo(f"旧迁移版本 {adoption.stamp} 的结构与基线一致，已改记为 {schema.BASELINE}"
                       + (f"（补建索引 {', '.join(adoption.created_indexes)}）" if adoption.created_indexes else "")
                       + "。")
        upgrade()
        added = service.seed_calendar(db_session())
        db.session.commit()
        if added:
            years = "、".join(str(y) for y in added)
            click.echo(f"已载入节假日安排：{years}年（预估的年份须在国务院办公厅通知发布后确认）。")
        service.ensure_districts(db_session())
        db_session().commit()
        click.echo("数据库已是最新结构。")

    @app.cli.command("seed-demo")
    def seed_demo() -> None:
        """Load demo users, enterprises and filings (idempotent; refused in production)."""
        if current_app.config.get("ENV_NAME") == "production":
            click.echo("生产环境禁止加载演示数据。", err=True)
            sys.exit(2)


        counts = service.seed_demo(db_session(), str(current_app.config["UPLOAD_DIR"]))
        click.echo(f"演示数据就绪：{counts['users']} 个用户，{counts['enterprises']} 家企业。密码均为 Demo@2026。")

    workflows_group = AppGroup("workflows", help="BPMN 流程：校验、定时器。")

    @workflows_group.command("validate")
    def validate() -> None:
        """Parse every file in bpmn/ with SpiffWorkflow's XSD validator; non-zero exit on any problem."""


        try:
            versions = service.validate_diagrams(current_app.config["BPMN_DIR"])
        except service.BpmnFileError as exc:
            for filename, element, message in exc.problems:
                click.echo(f"{filename} [{element or '-'}]: {message}", err=True)
            sys.exit(1)
        for process_id, version in sorted(versions.items()):
            click.echo(f"OK {process_id} {version.version_hash[:12]}")
        click.echo(f"共 {len(list(Path(current_app.config['BPMN_DIR']).glob('*.bpmn')))} 个 BPMN 文件校验通过。")

    @workflows_group.command("tick")
    @click.option("--now", "now_text", default=None, help="ISO-8601 instant to fire timers at (default: now)")
    def tick(now_text: str | None) -> None:
        """Fire every timer due at that instant (run it from cron every minute). Each case on its own: a failing
        one is logged and listed on 异常案件; exit 1 only when nothing could run."""
        try:
            report = run_tick(current_app, _parse_now(now_text))
        except Exception as exc:  # the database is unreachable or the like: nothing ran
            log.exception("tick failed")
            click.echo(f"定时器处理失败：{type(exc).__name__}: {exc}", err=True)
            sys.exit(1)
        click.echo(f"已触发 {report.fired} 个到期定时器；失败 {report.failed} 个，"
                   f"已由其他进程处理 {report.skipped} 个，新开周期 {report.opened} 个。")
        if not report.ok:
            sys.exit(1)

    @workflows_group.command("scheduler")
    @click.option("--interval", default=None, type=int, help="seconds between ticks")
    @click.option("--max-backoff", default=300, type=int, help="longest wait after failures, in seconds")
    def scheduler(interval: int | None, max_backoff: int) -> None:
        """Run tick in a loop (a single-machine alternative to cron); after a failure (database down) it waits
        longer each time, up to --max-backoff, and carries on."""
        every = interval or current_app.config["SCHEDULER_INTERVAL_SECONDS"]
        click.echo(f"定时器调度已启动，每 {every} 秒运行一次。按 Ctrl+C 停止。")
        failures = 0
        while True:
            try:
                report = run_tick(current_app)
                failures = 0
                if report.fired or report.failed:
                    click.echo(f"{datetime.now(UTC).isoformat()} 已触发 {report.fired} 个定时器，"
                               f"失败 {report.failed} 个")
                wait = float(every)
            except Exception:
                failures += 1
                wait = backoff_seconds(failures, every, max_backoff)
                log.exception("scheduler: tick failed, retrying", extra={"fields": {
                    "failures": failures, "retry_in_s": wait}})
            finally:
                db.session.remove()
            time.sleep(wait)

    @workflows_group.command("reconcile")
    @click.option("--fix", is_flag=True, help="rewrite the running totals from the cases")
    def reconcile(fix: bool) -> None:
        """Recompute the district year totals (R3-R5) and the filings per district and status from the
        cases and report every difference from the running totals; exit 1 when there is any (with --fix:
        rewrite them, exit 0)."""
        found = service.reconcile_totals(db_session(), fix=fix)
        for difference in found:
            click.echo(difference.describe(), err=not fix)
        if not found:
            click.echo("年度累计数和各状态备案数与案件一致。")
        elif fix:
            click.echo(f"已按案件重算年度累计数和各状态备案数（{len(found)} 处不一致已更正）。")
        else:
            click.echo(f"年度累计数和各状态备案数与案件有 {len(found)} 处不一致（--fix 可按案件重算）。", err=True)
            sys.exit(1)

    app.cli.add_command(workflows_group)

    notifications_group = AppGroup("notifications", help="通知外发（电子邮件、消息推送）。")

    @notifications_group.command("deliver")
    @click.option("--now", "now_text", default=None, help="ISO-8601 instant (default: now)")
    def deliver(now_text: str | None) -> None:
        """Send the outbox's due e-mails and webhooks (also run by every `workflows tick`)."""
        result = service.deliver_outbox(db_session(), _parse_now(now_text))
        click.echo(f"通知外发：成功 {result.sent} 条，待重试 {result.retried} 条，放弃 {result.failed} 条；"
                   f"尚待发送 {service.outbox_pending(db_session())} 条。")

    app.cli.add_command(notifications_group)
    funds_group = AppGroup("funds", help="培训补贴资金：对账。")

    @funds_group.command("reconcile")
    @click.option("--repair", is_flag=True, help="按案件重算结果改写累计数")
    def funds_reconcile(repair: bool) -> None:
        """Recompute every district and year's money from the training projects and compare it with the
        running totals; exit 1 when they differ (unless --repair rewrote them)."""
        session = db_session()
        mismatches = service.reconcile_funds(session, repair=repair)
        if repair:
            session.commit()
        if not mismatches:
            click.echo("资金累计数与案件一致。")
            return
        for m in mismatches:
            s, c = m.stored, m.computed
            click.echo(f"{m.district_code} {m.year}年：累计数 已占用{s.committed_fen} 已预支{s.advanced_fen} "
                       f"已拨付{s.paid_fen} 已释放{s.released_fen}（分）；按案件重算 已占用{c.committed_fen} "
                       f"已预支{c.advanced_fen} 已拨付{c.paid_fen} 已释放{c.released_fen}（分）")
        if repair:
            click.echo(f"已按案件重算改写 {len(mismatches)} 条累计数。")
            return
        click.echo(f"有 {len(mismatches)} 条累计数与案件不一致（可用 --repair 改写）。", err=True)
        sys.exit(1)

    app.cli.add_command(funds_group)

    users_group = AppGroup("users", help="用户管理。")

    @users_group.command("create")
    @click.argument("username")
    @click.option("--role", type=click.Choice(["enterprise", "district", "city", "admin"]), required=True)
    @click.option("--name", "display_name", required=True)
    @click.option("--district", default=None)
    @click.option("--enterprise-id", default=None, type=int)
    @click.password_option()
    def create(username: str, role: str, display_name: str, district: str | None, enterprise_id: int | None,
               password: str) -> None:
        """Create a user (the password rules apply; the user changes the password at the first sign-in)."""
        try:
            service.register_user(db_session(), username=username, password=password, display_name=display_name,
                                  role=role, district_code=district, enterprise_id=enterprise_id,
                                  operator=f"cli:{getpass.getuser()}")
        except errors.ValidationFailed as exc:
            for messages in exc.fields.values():
                for message in messages:
                    click.echo(message, err=True)
            sys.exit(1)
        click.echo(f"已创建用户 {username}。首次登录时须修改密码。")

    app.cli.add_command(users_group)

    audit_group = AppGroup("audit", help="安全日志与案件审计记录。")

    @audit_group.command("verify")
    def verify() -> None:
        """Recompute the hash chains of the security log and of every case's audit trail; non-zero exit and
        the first broken row of each when any row was changed, deleted or inserted out of order."""
        report = service.verify_audit(db_session())
        db_session().rollback()
        for broken in report.broken:
            click.echo(f"校验失败：{broken}", err=True)
        if not report.ok:
            sys.exit(1)
        click.echo(f"校验通过：安全日志 {report.security_rows} 条，案件审计记录 {report.audit_rows} 条"
                   f"（{report.cases} 个案件），哈希链完整。")

    app.cli.add_command(audit_group)

    from webapp.admin.cli import register_admin_cli
    from webapp.ops.cli import register_ops_cli
    from webapp.pii_cli import register_pii_cli

    register_pii_cli(app)

    register_admin_cli(app)
    register_ops_cli(app)
