"""drop redundant task index indexes

Two indexes of ``task_index`` repeat the leading columns of another: ``ix_task_index_role_district``
(role, district_code) is the prefix of ``ix_task_index_role_district_due`` and ``ix_task_index_instance_id``
(instance_id) the prefix of the unique (instance_id, task_id). Every engine step deletes and inserts its
case's rows here, so each index costs every step; the longer ones serve the same lookups.

Revision ID: 18c0a5e0d001
Revises: 18b0c0de0001
Create Date: 2026-12-08 04:40:00.000000

"""
from alembic import op


# revision identifiers, used by Alembic.
revision = '18c0a5e0d001'
down_revision = '18b0c0de0001'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('task_index', schema=None) as batch_op:
        batch_op.drop_index('ix_task_index_role_district')
        batch_op.drop_index('ix_task_index_instance_id')


def downgrade():
    with op.batch_alter_table('task_index', schema=None) as batch_op:
        batch_op.create_index('ix_task_index_instance_id', ['instance_id'], unique=False)
        batch_op.create_index('ix_task_index_role_district', ['role', 'district_code'], unique=False)
