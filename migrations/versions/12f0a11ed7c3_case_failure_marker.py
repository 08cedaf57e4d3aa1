"""workflow_instance.failed_at / failure: a case whose timer failed in `workflows tick`

Revision ID: 12f0a11ed7c3
Revises: 11a1c0ffee01
Create Date: 2026-12-03 12:40:00

"""
from alembic import op
import sqlalchemy as sa
import workflows.db


# revision identifiers, used by Alembic.
revision = '12f0a11ed7c3'
down_revision = '11a1c0ffee01'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('workflow_instance', schema=None) as batch_op:
        batch_op.add_column(sa.Column('failed_at', workflows.db.UTCDateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('failure', sa.Text(), nullable=True))


def downgrade():
    with op.batch_alter_table('workflow_instance', schema=None) as batch_op:
        batch_op.drop_column('failure')
        batch_op.drop_column('failed_at')
