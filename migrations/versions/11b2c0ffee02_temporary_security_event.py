"""TEMPORARY security_event table (issue 11b); kept at the 11a merge (databases already at this revision stay valid): 11a1c0ffee01 builds on it

Revision ID: 11b2c0ffee02
Revises: 11b1c0ffee01
Create Date: 2026-12-03 12:31:00
"""
from alembic import op
import sqlalchemy as sa

import workflows.db


revision = '11b2c0ffee02'
down_revision = '11b1c0ffee01'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('security_event',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('created_at', workflows.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=True),
    sa.Column('username', sa.String(length=64), nullable=False),
    sa.Column('address', sa.String(length=64), nullable=False),
    sa.Column('action', sa.String(length=40), nullable=False),
    sa.Column('target', sa.String(length=200), nullable=False),
    sa.Column('detail', sa.Text(), nullable=False),
    sa.Column('prev_hash', sa.String(length=64), nullable=False),
    sa.Column('row_hash', sa.String(length=64), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_security_event'))
    )
    with op.batch_alter_table('security_event', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_security_event_action'), ['action'], unique=False)
        batch_op.create_index(batch_op.f('ix_security_event_created_at'), ['created_at'], unique=False)
        batch_op.create_index('ix_security_event_user_created', ['user_id', 'created_at'], unique=False)


def downgrade():
    with op.batch_alter_table('security_event', schema=None) as batch_op:
        batch_op.drop_index('ix_security_event_user_created')
        batch_op.drop_index(batch_op.f('ix_security_event_created_at'))
        batch_op.drop_index(batch_op.f('ix_security_event_action'))
    op.drop_table('security_event')
