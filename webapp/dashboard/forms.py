"""The dashboard's GET forms: year and district filter, quick case search (no CSRF: they change nothing)."""

from __future__ import annotations

from wtforms import SearchField, SelectField
from wtforms.validators import Length, Optional

from webapp.forms import RowForm, options
from workflows.models import DISTRICTS


class DashboardFilterForm(RowForm):
    """年度 and 区 of the dashboard; choices are set by the view (years with plans, districts in scope)."""

    year = SelectField("统计年度", coerce=int, validate_choice=False)
    district = SelectField("区", validate_choice=False)

    def configure(self, years: list[int], default_year: int, district_choice: bool) -> None:
        self.year.choices = options((y, f"{y}年") for y in years)
        if self.year.data not in years:
            self.year.data = default_year
        self.district.choices = options([("", "全市"), *DISTRICTS.items()]) if district_choice else []
        if self.district.data not in DISTRICTS:
            self.district.data = ""


class CaseSearchForm(RowForm):
    """案件快速查询: submitted by GET to the case list (cases.index) as ``q``."""

    q = SearchField("案件快速查询", validators=[Optional(), Length(max=100)],
                    description="输入备案编号、企业名称或案件标题")


def year_arg(raw: str | None, default: int) -> int:
    """The ``year`` query argument as an int in a sane range, else ``default``."""
    try:
        year = int(raw or "")
    except ValueError:
        return default
    return year if 2000 <= year <= 2100 else default
