"""accounts (password history, lockout, session epoch), the security log and the case audit hash chain

Revision ID: 11a1c0ffee01
Revises: 16a0f0d5e001 (re-chained onto main's head; written against d9e1c58d09a5)
Create Date: 2026-12-03 12:40:00

The audit rows that exist are chained here (per case, in id order), with the same canonical hash as
workflows/security/chain.py (copied, so that this revision never changes when the code does).
"""
import hashlib
import json
from datetime import UTC

from alembic import op
import sqlalchemy as sa

import workflows.db


revision = '11a1c0ffee01'
down_revision = '16a0f0d5e001'
branch_labels = None
depends_on = None


def _instant(value):
    if isinstance(value, str):  # SQLite hands back text through a bare connection
        from datetime import datetime
        value = datetime.fromisoformat(value)
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def _link(prev_hash, content):
    body = json.dumps(content, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256((prev_hash + "\n" + body).encode("utf-8")).hexdigest()


def upgrade():
    with op.batch_alter_table('user_account', schema=None) as batch_op:
        batch_op.add_column(sa.Column('must_change_password', sa.Boolean(), server_default='0', nullable=False))
        batch_op.add_column(sa.Column('password_changed_at', workflows.db.UTCDateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('failed_logins', sa.Integer(), server_default='0', nullable=False))
        batch_op.add_column(sa.Column('locked_until', workflows.db.UTCDateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('session_epoch', sa.Integer(), server_default='0', nullable=False))
    with op.batch_alter_table('api_token', schema=None) as batch_op:
        batch_op.add_column(sa.Column('session_epoch', sa.Integer(), server_default='0', nullable=False))
    with op.batch_alter_table('workflow_instance', schema=None) as batch_op:
        batch_op.add_column(sa.Column('audit_hash', sa.String(length=64), server_default='', nullable=False))
    with op.batch_alter_table('audit_event', schema=None) as batch_op:
        batch_op.add_column(sa.Column('prev_hash', sa.String(length=64), server_default='', nullable=False))
        batch_op.add_column(sa.Column('row_hash', sa.String(length=64), server_default='', nullable=False))

    op.create_table('password_history',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('password_hash', sa.String(length=255), nullable=False),
    sa.Column('created_at', workflows.db.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['user_id'], ['user_account.id'], name=op.f('fk_password_history_user_id_user_account'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_password_history'))
    )
    with op.batch_alter_table('password_history', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_password_history_user_id'), ['user_id'], unique=False)

    head = op.create_table('security_chain_head',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('last_id', sa.Integer(), nullable=False),
    sa.Column('last_hash', sa.String(length=64), nullable=False),
    sa.Column('count', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_security_chain_head'))
    )
    # security_event itself was created by 11b2c0ffee02 (same columns as workflows.models.security); chain
    # the rows it may already hold (ID reveals), in id order, and start the head after them.
    bind = op.get_bind()
    events = sa.table('security_event', sa.column('id', sa.Integer),
                      sa.column('created_at', workflows.db.UTCDateTime(timezone=True)),
                      sa.column('user_id', sa.Integer), sa.column('username', sa.String),
                      sa.column('address', sa.String), sa.column('action', sa.String), sa.column('target', sa.String),
                      sa.column('detail', sa.Text), sa.column('prev_hash', sa.String), sa.column('row_hash', sa.String))
    running, count, last_id = "", 0, 0
    for row in bind.execute(sa.select(events).order_by(events.c.id)).mappings().all():
        content = {"at": _instant(row["created_at"]), "user_id": row["user_id"], "username": row["username"],
                   "address": row["address"], "action": row["action"], "target": row["target"],
                   "detail": row["detail"]}
        digest = _link(running, content)
        bind.execute(events.update().where(events.c.id == row["id"]).values(prev_hash=running, row_hash=digest))
        running, count, last_id = digest, count + 1, row["id"]
    op.bulk_insert(head, [{"id": 1, "last_id": last_id, "last_hash": running, "count": count}])

    # Chain the audit rows that exist, per case in id order; each case's head goes on its instance.
    audit = sa.table('audit_event', sa.column('id', sa.Integer), sa.column('instance_id', sa.Integer),
                     sa.column('actor_id', sa.Integer), sa.column('actor_name', sa.String),
                     sa.column('action', sa.String), sa.column('task_name', sa.String),
                     sa.column('task_id', sa.String), sa.column('comment', sa.Text),
                     sa.column('status_before', sa.String), sa.column('status_after', sa.String),
                     sa.column('created_at', workflows.db.UTCDateTime(timezone=True)),
                     sa.column('prev_hash', sa.String), sa.column('row_hash', sa.String))
    instances = sa.table('workflow_instance', sa.column('id', sa.Integer), sa.column('audit_hash', sa.String))
    current, running = None, ""
    rows = bind.execute(sa.select(audit).order_by(audit.c.instance_id, audit.c.id)).mappings().all()
    for row in rows:
        if row["instance_id"] != current:
            if current is not None:
                bind.execute(instances.update().where(instances.c.id == current).values(audit_hash=running))
            current, running = row["instance_id"], ""
        content = {"instance_id": row["instance_id"], "actor_id": row["actor_id"], "actor_name": row["actor_name"],
                   "action": row["action"], "task_name": row["task_name"], "task_id": row["task_id"],
                   "comment": row["comment"], "status_before": row["status_before"],
                   "status_after": row["status_after"], "at": _instant(row["created_at"])}
        digest = _link(running, content)
        bind.execute(audit.update().where(audit.c.id == row["id"]).values(prev_hash=running, row_hash=digest))
        running = digest
    if current is not None:
        bind.execute(instances.update().where(instances.c.id == current).values(audit_hash=running))


def downgrade():
    op.drop_table('security_chain_head')  # security_event goes with 11b2c0ffee02's downgrade
    with op.batch_alter_table('password_history', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_password_history_user_id'))
    op.drop_table('password_history')
    with op.batch_alter_table('audit_event', schema=None) as batch_op:
        batch_op.drop_column('row_hash')
        batch_op.drop_column('prev_hash')
    with op.batch_alter_table('workflow_instance', schema=None) as batch_op:
        batch_op.drop_column('audit_hash')
    with op.batch_alter_table('api_token', schema=None) as batch_op:
        batch_op.drop_column('session_epoch')
    with op.batch_alter_table('user_account', schema=None) as batch_op:
        batch_op.drop_column('session_epoch')
        batch_op.drop_column('locked_until')
        batch_op.drop_column('failed_logins')
        batch_op.drop_column('password_changed_at')
        batch_op.drop_column('must_change_password')
