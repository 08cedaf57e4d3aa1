"""running totals of the district year (R3-R5) and the indexes the hot paths need

Revision ID: 13b5ca1e0001
Revises: d9e1c58d09a5
Create Date: 2026-12-03 13:00:00

- ``district_year_figure``: running totals per district, year and share (workflows.filings.totals),
  filled here from the cases already stored.
- ``task_index.task_id`` unique (the completion looks a task up by id), the inbox's page orders, each
  user's notifications newest first.
- On PostgreSQL only: pg_trgm GIN indexes for the case search (title, case number, enterprise name),
  so ``ILIKE '%q%'`` does not read every case. SQLite has no such index; the search stays a LIKE.
"""
from alembic import op
import sqlalchemy as sa


revision = '13b5ca1e0001'
down_revision = 'd9e1c58d09a5'
branch_labels = None
depends_on = None

TRIGRAM_INDEXES = (
    ("ix_workflow_instance_title_trgm", "workflow_instance", "title"),
    ("ix_workflow_instance_business_key_trgm", "workflow_instance", "business_key"),
    ("ix_enterprise_name_trgm", "enterprise", "name"),
)


def upgrade():
    op.create_table('district_year_figure',
    sa.Column('district_code', sa.String(length=6), nullable=False),
    sa.Column('year', sa.Integer(), nullable=False),
    sa.Column('dimension', sa.String(length=12), nullable=False),
    sa.Column('key', sa.String(length=40), nullable=False),
    sa.Column('filings', sa.Integer(), nullable=False),
    sa.Column('trainees', sa.Integer(), nullable=False),
    sa.Column('intermediate_up', sa.Integer(), nullable=False),
    sa.Column('committed_fen', sa.BigInteger(), nullable=False),
    sa.Column('pending_fen', sa.BigInteger(), nullable=False),
    sa.PrimaryKeyConstraint('district_code', 'year', 'dimension', 'key', name=op.f('pk_district_year_figure'))
    )
    with op.batch_alter_table('task_index', schema=None) as batch_op:
        batch_op.create_index('ix_task_index_task_id', ['task_id'], unique=True)
        batch_op.create_index('ix_task_index_role_district_due', ['role', 'district_code', 'due_at', 'created_at'],
                              unique=False)
        batch_op.create_index('ix_task_index_role_due', ['role', 'due_at', 'created_at'], unique=False)
    with op.batch_alter_table('notification', schema=None) as batch_op:
        batch_op.create_index('ix_notification_user_created', ['user_id', 'created_at', 'id'], unique=False)
    bind = op.get_bind()
    if bind.dialect.name == "postgresql":
        op.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
        for name, table, column in TRIGRAM_INDEXES:
            op.execute(f"CREATE INDEX IF NOT EXISTS {name} ON {table} USING gin ({column} gin_trgm_ops)")
    # The totals of the cases already stored (what `flask workflows reconcile` recomputes), with the
    # status groups of workflows/filings/status.py as they are at this revision.
    for dimension, key, group in (("''", "''", ""),
                                  ("'enterprise'", "CAST(f.enterprise_id AS VARCHAR(40))", ", f.enterprise_id"),
                                  ("'occupation'", "f.occupation_code", ", f.occupation_code")):
        op.execute(f"""
            INSERT INTO district_year_figure (district_code, year, dimension, key, filings, trainees,
                                              intermediate_up, committed_fen, pending_fen)
            SELECT f.district_code, f.plan_year, {dimension}, {key}, COUNT(*), SUM(f.trainee_count),
                   SUM(CASE WHEN f.level <= 4 THEN f.trainee_count ELSE 0 END),
                   SUM(CASE WHEN w.status IN ('city_record', 'recorded') THEN f.subsidy_fen ELSE 0 END),
                   SUM(CASE WHEN w.status = 'district_review' THEN f.subsidy_fen ELSE 0 END)
            FROM filing f JOIN workflow_instance w ON w.id = f.instance_id
            WHERE w.kind = 'filing' AND w.status IN ('district_review', 'city_record', 'recorded')
              AND f.plan_year IS NOT NULL
            GROUP BY f.district_code, f.plan_year{group}
        """)


def downgrade():
    bind = op.get_bind()
    if bind.dialect.name == "postgresql":
        for name, _, _ in TRIGRAM_INDEXES:
            op.execute(f"DROP INDEX IF EXISTS {name}")
    with op.batch_alter_table('notification', schema=None) as batch_op:
        batch_op.drop_index('ix_notification_user_created')
    with op.batch_alter_table('task_index', schema=None) as batch_op:
        batch_op.drop_index('ix_task_index_role_due')
        batch_op.drop_index('ix_task_index_role_district_due')
        batch_op.drop_index('ix_task_index_task_id')
    op.drop_table('district_year_figure')
