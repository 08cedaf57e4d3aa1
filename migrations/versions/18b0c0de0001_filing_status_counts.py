"""filing status counts

The dashboard counted the filing cases per district and status over every case on each view (linear in
the number of cases). The running totals now keep those counts (``district_year_figure`` rows of
dimension ``status``, year 0, key the status, the count in ``filings``; drafts are not counted), moved by
every step in the transaction of the step; this revision writes them for the cases already there.

Revision ID: 18b0c0de0001
Revises: 13c1a0b0f001
Create Date: 2026-12-08 04:30:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '18b0c0de0001'
down_revision = '13c1a0b0f001'
branch_labels = None
depends_on = None

STATUS = "status"
STATUS_YEAR = 0

instance = sa.table("workflow_instance", sa.column("kind", sa.String), sa.column("status", sa.String),
                    sa.column("district_code", sa.String))
figure = sa.table("district_year_figure", sa.column("district_code", sa.String), sa.column("year", sa.Integer),
                  sa.column("dimension", sa.String), sa.column("key", sa.String),
                  sa.column("filings", sa.Integer), sa.column("trainees", sa.Integer),
                  sa.column("intermediate_up", sa.Integer), sa.column("committed_fen", sa.BigInteger),
                  sa.column("pending_fen", sa.BigInteger))


def upgrade():
    bind = op.get_bind()
    counts = bind.execute(
        sa.select(instance.c.district_code, instance.c.status, sa.func.count())
        .where(instance.c.kind == "filing", instance.c.status != "draft")
        .group_by(instance.c.district_code, instance.c.status)).all()
    bind.execute(sa.delete(figure).where(figure.c.dimension == STATUS))
    if counts:
        bind.execute(sa.insert(figure), [
            {"district_code": district or "", "year": STATUS_YEAR, "dimension": STATUS, "key": status,
             "filings": int(n), "trainees": 0, "intermediate_up": 0, "committed_fen": 0, "pending_fen": 0}
            for district, status, n in sorted(counts, key=lambda r: (r[0] or "", r[1]))])


def downgrade():
    op.get_bind().execute(sa.delete(figure).where(figure.c.dimension == STATUS))
