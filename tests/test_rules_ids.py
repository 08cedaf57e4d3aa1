"""Identifier rules: credit codes, resident ID numbers, ISBNs.

The reference check-character functions below are written out from the standards (GB 32100-2015,
GB 11643-1999, EAN-13) as an oracle independent of the stdnum calls inside ``workflows.rules``.
"""

from __future__ import annotations

import string
from datetime import date, timedelta

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from workflows.rules.ids import (
    add_years,
    area_label,
    credit_code_area,
    credit_code_error,
    id_number_error,
    is_guangzhou_area,
    isbn_error,
    normalize_credit_code,
    normalize_id_number,
    normalize_isbn,
)

USCC_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"


def uscc_check(body: str) -> str:
    weights = [pow(3, i, 31) for i in range(17)]
    total = sum(USCC_ALPHABET.index(c) * w for c, w in zip(body, weights, strict=True))
    return USCC_ALPHABET[(31 - total % 31) % 31]


def ric_check(body: str) -> str:
    weights = [pow(2, 17 - i, 11) for i in range(17)]
    return "10X98765432"[sum(int(c) * w for c, w in zip(body, weights, strict=True)) % 11]


def ean_check(body: str) -> str:
    return str(-sum(int(c) * (3 if i % 2 else 1) for i, c in enumerate(body)) % 10)


def isbn10_check(body: str) -> str:
    value = sum((10 - i) * int(c) for i, c in enumerate(body)) % 11
    return "0123456789X"[(11 - value) % 11]


AREAS = [
    "440103",
    "440104",
    "440106",
    "440111",
    "440112",
    "440113",
    "440115",
    "440118",
    "110101",
    "360426",
    "445102",
]

credit_codes = st.builds(
    lambda authority, kind, area, org: (b := authority + kind + area + org) + uscc_check(b),
    st.sampled_from("159"),
    st.sampled_from("123"),
    st.sampled_from(AREAS),
    st.text(USCC_ALPHABET, min_size=9, max_size=9),
)
birth_dates = st.dates(min_value=date(1950, 1, 1), max_value=date(2008, 12, 31))
id_numbers = st.builds(
    lambda area, born, seq: (b := area + born.strftime("%Y%m%d") + f"{seq:03d}") + ric_check(b),
    st.sampled_from(AREAS),
    birth_dates,
    st.integers(0, 999),
)
isbn13s = st.builds(
    lambda prefix, rest: (b := prefix + rest) + ean_check(b),
    st.sampled_from(["9787", "9791", "9780"]),
    st.text("0123456789", min_size=8, max_size=8),
)
MUTANTS = string.ascii_letters + string.digits + " -_./X"


def mutate(number: str, data: st.DataObject) -> str:
    """Replace one character by a different one (case-only changes are the same character)."""
    i = data.draw(st.integers(0, len(number) - 1))
    c = data.draw(st.sampled_from(MUTANTS))
    assume(c.upper() != number[i].upper())
    return number[:i] + c + number[i + 1 :]


# --- credit codes ----------------------------------------------------------------------------------


def test_known_credit_code_is_valid() -> None:
    assert credit_code_error("91110000600037341L") is None


@pytest.mark.parametrize(
    ("code", "fragment"),
    [
        ("", "未填写"),
        ("9111000060003734", "应为18位（当前为16位）"),
        ("A1110000600037341L", "第1至8位应为数字"),
        ("91110000600O37341L", "不含I、O、Z、S、V"),
        ("91110000600037341M", "校验位错误"),
    ],
)
def test_bad_credit_codes_are_named(code: str, fragment: str) -> None:
    error = credit_code_error(code)
    assert error is not None and fragment in error and error.startswith("统一社会信用代码")


def test_credit_code_input_is_normalised() -> None:
    assert credit_code_error(" 91110000600037341l ") is None
    assert credit_code_error("９１１１００００６０００３７３４１Ｌ") is None
    assert normalize_credit_code("9111-0000 600037341l") == "91110000600037341L"


@settings(deadline=None)  # no timed asserts: the shared machine makes a 200 ms deadline flaky
@given(credit_codes)
def test_generated_credit_codes_pass(code: str) -> None:
    assert credit_code_error(code) is None
    assert credit_code_area(code) == code[2:8]


@settings(deadline=None)  # no timed asserts: the shared machine makes a 200 ms deadline flaky
@given(credit_codes, st.data())
def test_any_single_substitution_breaks_a_credit_code(code: str, data: st.DataObject) -> None:
    assert credit_code_error(mutate(code, data)) is not None


def test_credit_code_area_and_guangzhou() -> None:
    body = "91440106" + "MA59ABCD1"
    code = body + uscc_check(body)
    assert credit_code_area(code) == "440106"
    assert is_guangzhou_area("440106") and is_guangzhou_area("440101")
    assert not is_guangzhou_area("440300") and not is_guangzhou_area("4401") and not is_guangzhou_area("")
    assert area_label("440106") == "440106（天河区）"
    assert area_label("440199") == "440199（广州市）"
    assert area_label("440300") == "440300"
    with pytest.raises(ValueError):
        credit_code_area("91A4")


# --- resident ID numbers ---------------------------------------------------------------------------


def test_known_id_number_is_valid() -> None:
    assert id_number_error("360426199101010071", date(2024, 3, 1)) is None


def test_lower_case_x_and_spaces_are_accepted() -> None:
    body = next(b for seq in range(1000) if ric_check(b := f"44010620000101{seq:03d}") == "X")
    number = body + "X"
    assert id_number_error(f" {number.lower()} ", None) is None
    assert normalize_id_number(number.lower()) == number


@pytest.mark.parametrize(
    ("number", "fragment"),
    [
        ("", "未填写"),
        ("36042619910101007", "应为18位（当前为17位）"),
        ("36042619910101A071", "前17位应为数字"),
        ("360426199101010072", "校验位错误"),
    ],
)
def test_bad_id_numbers_are_named(number: str, fragment: str) -> None:
    error = id_number_error(number, None)
    assert error is not None and fragment in error and error.startswith("身份证号码")


def test_impossible_birth_date_is_rejected_even_with_a_valid_check_digit() -> None:
    for born in ("20230230", "20231301", "18991231"):
        body = "440106" + born + "123"
        assert id_number_error(body + ric_check(body), None) == "身份证号码中的出生日期无效"


@settings(deadline=None)  # no timed asserts: the shared machine makes a 200 ms deadline flaky
@given(id_numbers)
def test_generated_id_numbers_pass(number: str) -> None:
    assert id_number_error(number, None) is None


@settings(deadline=None)  # no timed asserts: the shared machine makes a 200 ms deadline flaky
@given(id_numbers, st.data())
def test_any_single_substitution_breaks_an_id_number(number: str, data: st.DataObject) -> None:
    assert id_number_error(mutate(number, data), None) is not None


@settings(deadline=None)  # no timed asserts: the shared machine makes a 200 ms deadline flaky
@given(birth_dates)
def test_trainee_must_be_16_at_training_start(born: date) -> None:
    body = "440106" + born.strftime("%Y%m%d") + "321"
    number = body + ric_check(body)
    sixteenth = add_years(born, 16)
    assert id_number_error(number, sixteenth) is None
    error = id_number_error(number, sixteenth - timedelta(days=1))
    assert error is not None and "未满16周岁" in error


def test_birth_after_training_start_is_explained() -> None:
    body = "440106" + "20100601" + "321"
    assert (
        id_number_error(body + ric_check(body), date(2010, 1, 1)) == "身份证号码中的出生日期晚于培训开始日期"
    )


def test_leap_day_birthday_turns_16_on_first_of_march() -> None:
    body = "440106" + "20080229" + "321"
    number = body + ric_check(body)
    assert id_number_error(number, date(2024, 2, 29)) is None
    body = "440106" + "20040229" + "321"
    number = body + ric_check(body)
    assert id_number_error(number, date(2020, 2, 28)) is not None
    assert id_number_error(number, date(2020, 2, 29)) is None
    assert add_years(date(2004, 2, 29), 17) == date(2021, 3, 1)


# --- ISBN ------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("isbn", "fragment"),
    [
        ("", "未填写"),
        ("978-7-5167-380", "应为13位"),
        ("978-7-5167-3801-X", "只能由数字组成"),
        ("977-7-5167-3801-6", "以978或979开头"),
        ("978-7-5167-3801-7", "校验位错误"),
        ("7-5045-1234-0", "校验位错误"),
    ],
)
def test_bad_isbns_are_named(isbn: str, fragment: str) -> None:
    error = isbn_error(isbn)
    assert error is not None and fragment in error


@settings(deadline=None)  # no timed asserts: the shared machine makes a 200 ms deadline flaky
@given(isbn13s)
def test_generated_isbn13_pass_and_normalise_to_themselves(isbn: str) -> None:
    assert isbn_error(isbn) is None
    assert normalize_isbn(f"{isbn[:3]}-{isbn[3]}-{isbn[4:8]}-{isbn[8:12]}-{isbn[12]}") == isbn


@settings(deadline=None)  # no timed asserts: the shared machine makes a 200 ms deadline flaky
@given(isbn13s, st.data())
def test_any_single_substitution_breaks_an_isbn(isbn: str, data: st.DataObject) -> None:
    assert isbn_error(mutate(isbn, data)) is not None


@settings(deadline=None)  # no timed asserts: the shared machine makes a 200 ms deadline flaky
@given(st.text("0123456789", min_size=9, max_size=9))
def test_isbn10_is_converted_to_isbn13(body: str) -> None:
    isbn10 = body + isbn10_check(body)
    assert isbn_error(isbn10) is None
    converted = normalize_isbn(isbn10)
    assert converted == "978" + body + ean_check("978" + body)


def test_normalize_isbn_rejects_invalid_input() -> None:
    with pytest.raises(ValueError, match="校验位错误"):
        normalize_isbn("978-7-5167-3801-7")


def test_mask_id_number_keeps_first_and_last_four():
    from workflows.rules.ids import mask_id_number

    assert mask_id_number("440106199001010011") == "4401**********0011"
    assert mask_id_number("44010619900101001x") == "4401**********001X"
    assert mask_id_number("12345") == "****5"
    assert mask_id_number("") == ""
