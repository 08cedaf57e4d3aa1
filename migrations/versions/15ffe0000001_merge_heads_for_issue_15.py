"""merge the heads of issue 13 (running totals) and issue 15 (filing attachments) — no schema change

Only here so that this branch, with main merged in, has one head; the lead re-chains the issue revisions at
merge time and may drop this file then.

Revision ID: 15ffe0000001
Revises: 13b5ca1e0001, 15a7c0de0001
Create Date: 2026-12-03 13:20:00

"""

# revision identifiers, used by Alembic.
revision = '15ffe0000001'
down_revision = ('13b5ca1e0001', '15a7c0de0001')
branch_labels = None
depends_on = None


def upgrade():
    pass


def downgrade():
    pass
