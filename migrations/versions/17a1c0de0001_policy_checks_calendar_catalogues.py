"""issue 17: trainee contract end, new policy parameters, holiday calendar, catalogue provenance,
deadlines counted through estimated holiday years

Revision ID: 17a1c0de0001
Revises: 11b2c0ffee02
Create Date: 2026-12-03 12:45:00

"""
from alembic import op
import sqlalchemy as sa

import workflows.db


revision = '17a1c0de0001'
down_revision = '11b2c0ffee02'
branch_labels = None
depends_on = None

_POLICY_COLUMNS = (
    ('max_trainee_age', '60'),
    ('student_graduation_window_years', '2'),
    ('student_highest_level', '3'),
    ('min_hours_per_year', '600'),
    ('min_class_hours_per_year', '120'),
)


def upgrade():
    with op.batch_alter_table('trainee') as batch:
        batch.add_column(sa.Column('contract_end', sa.Date(), nullable=True))
    with op.batch_alter_table('policy_version') as batch:
        for name, default in _POLICY_COLUMNS:
            batch.add_column(sa.Column(name, sa.Integer(), nullable=False, server_default=default))
    with op.batch_alter_table('policy_version') as batch:
        for name, _ in _POLICY_COLUMNS:
            batch.alter_column(name, server_default=None)
    op.create_table('catalogue_source',
    sa.Column('name', sa.String(length=20), nullable=False),
    sa.Column('source_document', sa.String(length=300), nullable=False),
    sa.Column('edition', sa.String(length=100), nullable=False),
    sa.Column('published_on', sa.Date(), nullable=True),
    sa.Column('illustrative', sa.Boolean(), nullable=False),
    sa.Column('imported_by_name', sa.String(length=100), nullable=False),
    sa.Column('imported_at', workflows.db.UTCDateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('name', name=op.f('pk_catalogue_source'))
    )
    op.create_table('holiday_year',
    sa.Column('year', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('source_notice', sa.String(length=300), nullable=False),
    sa.Column('updated_by_name', sa.String(length=100), nullable=False),
    sa.Column('updated_at', workflows.db.UTCDateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('year', name=op.f('pk_holiday_year'))
    )
    op.create_table('holiday_day',
    sa.Column('day', sa.Date(), nullable=False),
    sa.Column('year', sa.Integer(), nullable=False),
    sa.Column('is_working', sa.Boolean(), nullable=False),
    sa.Column('name', sa.String(length=50), nullable=False),
    sa.ForeignKeyConstraint(['year'], ['holiday_year.year'], name=op.f('fk_holiday_day_year_holiday_year'),
                            ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('day', name=op.f('pk_holiday_day'))
    )
    op.create_index(op.f('ix_holiday_day_year'), 'holiday_day', ['year'], unique=False)
    op.create_table('estimated_deadline',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('instance_id', sa.Integer(), nullable=False),
    sa.Column('variable', sa.String(length=50), nullable=False),
    sa.Column('counted_from', sa.Date(), nullable=False),
    sa.Column('days', sa.Integer(), nullable=False),
    sa.Column('years', sa.JSON(), nullable=False),
    sa.Column('created_at', workflows.db.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['instance_id'], ['workflow_instance.id'],
                            name=op.f('fk_estimated_deadline_instance_id_workflow_instance'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_estimated_deadline'))
    )
    op.create_index(op.f('ix_estimated_deadline_instance_id'), 'estimated_deadline', ['instance_id'], unique=False)


def downgrade():
    op.drop_index(op.f('ix_estimated_deadline_instance_id'), table_name='estimated_deadline')
    op.drop_table('estimated_deadline')
    op.drop_index(op.f('ix_holiday_day_year'), table_name='holiday_day')
    op.drop_table('holiday_day')
    op.drop_table('holiday_year')
    op.drop_table('catalogue_source')
    with op.batch_alter_table('policy_version') as batch:
        for name, _ in reversed(_POLICY_COLUMNS):
            batch.drop_column(name)
    with op.batch_alter_table('trainee') as batch:
        batch.drop_column('contract_end')
