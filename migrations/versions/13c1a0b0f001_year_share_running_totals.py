"""year share running totals

The R5 budget check of a district approval read every filing awaiting the city's record (and split each
one's fund plan by months) on every approval. The running totals now keep those year shares per district
and budget year (``district_year_figure`` rows of dimension ``year_share``, the amount in
``committed_fen``); this revision writes them for the filings already awaiting the city.

Revision ID: 13c1a0b0f001
Revises: 14a1c0ffee01
Create Date: 2026-12-07 15:10:00.000000

"""
from alembic import op
import sqlalchemy as sa

from workflows.rules import money


# revision identifiers, used by Alembic.
revision = '13c1a0b0f001'
down_revision = '14a1c0ffee01'
branch_labels = None
depends_on = None

YEAR_SHARE = "year_share"
AWAITING_RECORD = ("city_record",)

instance = sa.table("workflow_instance", sa.column("id", sa.Integer), sa.column("kind", sa.String),
                    sa.column("status", sa.String))
filing = sa.table("filing", sa.column("instance_id", sa.Integer), sa.column("district_code", sa.String),
                  sa.column("plan_year", sa.Integer), sa.column("period_start", sa.Date),
                  sa.column("period_end", sa.Date), sa.column("subsidy_fen", sa.BigInteger))
figure = sa.table("district_year_figure", sa.column("district_code", sa.String), sa.column("year", sa.Integer),
                  sa.column("dimension", sa.String), sa.column("key", sa.String),
                  sa.column("filings", sa.Integer), sa.column("trainees", sa.Integer),
                  sa.column("intermediate_up", sa.Integer), sa.column("committed_fen", sa.BigInteger),
                  sa.column("pending_fen", sa.BigInteger))


def _shares(row) -> dict[int, int]:
    """As ``workflows.filings.totals.year_shares``: the fund plan split across years by months."""
    subsidy = int(row.subsidy_fen or 0)
    if row.period_start is None or row.period_end is None or row.period_end < row.period_start:
        return {row.plan_year or 0: subsidy}
    months = money.period_months(row.period_start, row.period_end)
    return money.split_total_fen(subsidy, row.period_start, months)


def upgrade():
    bind = op.get_bind()
    rows = bind.execute(
        sa.select(filing.c.district_code, filing.c.plan_year, filing.c.period_start, filing.c.period_end,
                  filing.c.subsidy_fen)
        .select_from(filing.join(instance, instance.c.id == filing.c.instance_id))
        .where(instance.c.kind == "filing", instance.c.status.in_(AWAITING_RECORD),
               filing.c.plan_year.is_not(None)))
    totals: dict[tuple[str, int], int] = {}
    for row in rows:
        if not row.district_code:
            continue
        for year, fen in _shares(row).items():
            totals[(row.district_code, year)] = totals.get((row.district_code, year), 0) + fen
    bind.execute(sa.delete(figure).where(figure.c.dimension == YEAR_SHARE))
    if totals:
        bind.execute(sa.insert(figure), [
            {"district_code": district, "year": year, "dimension": YEAR_SHARE, "key": "", "filings": 0,
             "trainees": 0, "intermediate_up": 0, "committed_fen": fen, "pending_fen": 0}
            for (district, year), fen in sorted(totals.items())])


def downgrade():
    op.get_bind().execute(sa.delete(figure).where(figure.c.dimension == YEAR_SHARE))
