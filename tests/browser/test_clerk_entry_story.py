"""A clerk's filing in a zh-CN Chromium (issue 15): dates typed in Chinese forms are kept, three rows copied
from Excel (tab-separated) and pasted into the first trainee cell become three trainees, the job-post check
answers while typing, the draft is saved once, and leaving the form with unsaved changes asks first."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.browser.helpers import people, pick_occupation

pytestmark = pytest.mark.browser

ENTERPRISE_USER = "ent-440112-1"


def _trainee_rows(page) -> int:  # type: ignore[no-untyped-def]
    return page.locator('table[data-prefix="trainees"] tbody tr:not([data-empty-row])').count()


def test_paste_three_rows_typed_dates_job_post_check_and_unsaved_prompt(as_user) -> None:  # type: ignore[no-untyped-def]
    clerk = as_user(ENTERPRISE_USER)
    page = clerk.page
    clerk.goto("/filings/new")
    clerk.check("新建培训备案")
    assert page.evaluate("navigator.language") == "zh-CN"

    occupation = page.locator("#occupation_code option:nth-child(2)")
    code, label = occupation.get_attribute("value"), occupation.inner_text()
    pick_occupation(page, code, label.split(" ", 1)[1])
    trade = label.split(" ", 1)[1]
    page.fill("#institution_name", "广州市工贸技师学院")
    page.fill("#tutor_enterprise", "陈师傅")
    page.fill("#tutor_institution", "李老师")
    # Typed, not picked: the Chinese forms a clerk types are kept by the browser and read by the server.
    page.locator("#period_start").press_sequentially("2027/3/1")
    page.locator("#period_end").press_sequentially("2028年2月28日")
    assert page.locator("#period_start").input_value() == "2027/3/1"
    # The picker beside the field follows what was typed.
    assert page.locator("#period_start + input[data-date-picker]").input_value() == "2027-03-01"

    persons = people(seed=41, n=3)
    posts = [trade, "财务会计", trade]
    rows = [f"{p.name}\t{p.id_number}\t{post}\t2026/9/1" for p, post in zip(persons, posts, strict=True)]
    clipboard = "\r\n".join(rows) + "\r\n"  # as Excel and WPS put it on the clipboard
    first = page.locator("#trainees-0-name")
    first.click()
    page.evaluate("""([selector, text]) => {
        const target = document.querySelector(selector);
        const data = new DataTransfer();
        data.setData('text/plain', text);
        target.dispatchEvent(new ClipboardEvent('paste', {clipboardData: data, bubbles: true, cancelable: true}));
    }""", ["#trainees-0-name", clipboard])
    assert _trainee_rows(page) == 3
    for i, (person, post) in enumerate(zip(persons, posts, strict=True)):
        assert page.locator(f"#trainees-{i}-name").input_value() == person.name
        assert page.locator(f"#trainees-{i}-id_number").input_value() == person.id_number
        assert page.locator(f"#trainees-{i}-job_post").input_value() == post
        assert page.locator(f"#trainees-{i}-contract_start").input_value() == "2026/9/1"

    # The job-post check runs on the server's rule while typing: the second post does not match.
    hint = page.locator("#trainees-1-job_post ~ [data-job-post-hint]")
    hint.wait_for(state="attached")
    expect(page.locator("#trainees-1-job_post")).to_have_attribute("data-job-post", "mismatch")
    assert "不一致" in hint.inner_text()
    page.locator("#trainees-1-job_post").fill(trade)
    expect(page.locator("#trainees-1-job_post")).to_have_attribute("data-job-post", "match")

    # Enter in a field does not submit (no accidental drafts).
    page.locator("#institution_name").press("Enter")
    assert clerk.path == "/filings/new"

    with page.expect_navigation():
        page.get_by_role("button", name="保存草稿").click()
    clerk.check("编辑培训备案（草稿）")
    assert "/edit" in clerk.path
    assert _trainee_rows(page) == 3
    assert page.locator("#period_start").input_value() == "2027-03-01"
    assert page.locator("#period_end").input_value() == "2028-02-28"
    assert page.locator("#trainees-2-contract_start").input_value() == "2026-09-01"

    # Unsaved changes: leaving asks first (beforeunload dialog), saving does not.
    seen: list[str] = []
    page.on("dialog", lambda dialog: seen.append(dialog.type))
    page.locator("#tutor_institution").fill("王老师")
    with page.expect_navigation():
        page.locator("nav.site-nav a").first.click()
    assert "beforeunload" in seen


def _roster(path, persons, post: str) -> str:  # type: ignore[no-untyped-def]
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    sheet.append(["姓名", "身份证号码", "工作岗位", "劳动合同起始日期"])
    for person in persons:
        sheet.append([person.name, person.id_number, post, "2026-09-01"])
    book.save(path)
    return str(path)


def test_roster_import_on_an_unsaved_filing_appends_or_replaces(as_user, tmp_path) -> None:  # type: ignore[no-untyped-def]
    clerk = as_user(ENTERPRISE_USER)
    page = clerk.page
    clerk.goto("/filings/new")
    page.fill("#period_start", "2027-03-01")
    typed = people(seed=51, n=1)[0]
    page.fill("#trainees-0-name", typed.name)
    page.fill("#trainees-0-id_number", typed.id_number)
    first = _roster(tmp_path / "名单一.xlsx", people(seed=52, n=2), "车工")
    second = _roster(tmp_path / "名单二.xlsx", people(seed=60, n=3), "车工")
    result = page.locator("[data-roster-import-result]")

    page.get_by_label("导入 Excel 学员名单").set_input_files(first)
    page.get_by_label("追加到现有名单之后").check()
    page.get_by_role("button", name="导入", exact=True).click()
    expect(result).to_contain_text("已追加 2 名学员")
    assert _trainee_rows(page) == 3
    assert page.locator("#trainees-0-name").input_value() == typed.name

    page.get_by_label("导入 Excel 学员名单").set_input_files(second)
    page.get_by_label("替换现有名单").check()
    page.get_by_role("button", name="导入", exact=True).click()
    expect(result).to_contain_text("已替换为 3 名学员")
    assert _trainee_rows(page) == 3
    names = [page.locator(f"#trainees-{i}-name").input_value() for i in range(3)]
    assert names == [p.name for p in people(seed=60, n=3)]
    assert page.locator("#trainees-2-contract_start").input_value() == "2026-09-01"
