"""Status labels follow SPEC section 6: the same stable codes, labelled per kind of case."""

from workflows.service import STATUS_LABELS, status_label


def test_filing_labels() -> None:
    assert status_label("filing", "returned") == "已退回待修改"
    assert status_label("filing", "expired") == "已逾期关闭"
    assert set(STATUS_LABELS) >= {"draft", "district_review", "returned", "city_record", "recorded", "rejected",
                                  "withdrawn", "expired"}


def test_plan_and_report_labels() -> None:
    assert status_label("quarterly_plan", "compiling") == "待编制"
    assert status_label("quarterly_plan", "returned") == "已退回"
    assert status_label("quarterly_plan", "recorded") == "已备案"
    assert status_label("semiannual_report", "recorded") == "已接收"
    assert status_label(None, "unknown-code") == "unknown-code"
