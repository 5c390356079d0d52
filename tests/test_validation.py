"""Checks shared by every form: dates typed in the common forms, errors that name their field."""

from __future__ import annotations

from datetime import date

import pytest

from workbook.validation import InputError, clean_date, clean_text, long_date, read_date

EARLIEST, LATEST = date(2000, 1, 1), date(2100, 12, 31)


@pytest.mark.parametrize(
    ("typed", "form"),
    [
        ("2027-03-31", "year-month-day"),
        ("31/03/2027", "day/month/year"),
        ("31.03.2027", "day.month.year"),
        ("31 March 2027", "day month year"),
        ("31 mar 2027", "day month year"),
        ("31st March, 2027", "day month year"),
        ("  31 / 03 / 2027 ".replace(" ", ""), "day/month/year"),
        ("1/4/2027", "day/month/year"),
    ],
)
def test_common_date_forms_are_understood(typed, form):
    read = read_date(typed)
    assert read.value == (date(2027, 4, 1) if typed == "1/4/2027" else date(2027, 3, 31))
    assert read.form.startswith(form)


@pytest.mark.parametrize(
    ("typed", "problem"),
    [
        ("03/31/2027", "not a real date (day 3, month 31"),
        ("31/02/2027", "not a real date"),
        ("next spring", "not a date we can read: write it as 2027-03-31, 31/03/2027, 31.03.2027"),
        ("31 Smarch 2027", "not a date we can read"),
        ("", "not a date we can read"),
    ],
)
def test_unreadable_dates_say_which_forms_are_understood(typed, problem):
    with pytest.raises(ValueError, match=problem.replace("(", r"\(")):
        read_date(typed)


def test_clean_date_names_the_field_and_its_bounds():
    assert clean_date("Target date", "31.03.2027", earliest=EARLIEST, latest=LATEST) == date(2027, 3, 31)
    with pytest.raises(InputError) as caught:
        clean_date("Target date", date(2101, 1, 1), earliest=EARLIEST, latest=LATEST)
    assert caught.value.field == "Target date"
    assert caught.value.problem == (
        "Saturday 1 January 2101 is too far ahead: choose Friday 31 December 2100 or earlier"
    )
    assert str(caught.value).startswith("Target date: Saturday")


def test_long_dates_cannot_be_misread():
    assert long_date(date(2027, 3, 4)) == "Thursday 4 March 2027"


def test_errors_keep_field_and_problem_apart():
    with pytest.raises(InputError) as caught:
        clean_text("Goal 2 / Measure", "x" * 11, max_length=10)
    assert (caught.value.field, caught.value.problem) == ("Goal 2 / Measure", "at most 10 characters, got 11")


def test_one_way_to_make_text_safe_for_file_names_and_markdown():
    from workbook.text import md_inline, md_line, slugify

    assert slugify("Ana-María B.") == "ana-maria-b" and slugify("李雷", default="x") == "x"
    assert slugify("a" * 100, max_length=60) == "a" * 60
    assert md_inline("<b>*x*</b> [l](u) ![i](u)") == r"&lt;b&gt;\*x\*&lt;/b&gt; \[l\](u) \!\[i\](u)"
    assert md_line("  - not a list") == r"\- not a list" and md_line("1. not a list") == r"1\. not a list"
