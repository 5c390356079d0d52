"""The evaluator's cohort filter says how to choose several cohorts in words that fit a touch screen and a
keyboard as well as a mouse (a phone has no Ctrl key to hold)."""

from __future__ import annotations

from workbook.apps.evaluator.templates import render


def test_the_cohort_filter_note_fits_touch_keyboard_and_mouse():
    note = render("filter_note.html", hidden="")
    assert "on a touch screen, tap the list, then each cohort" in note
    assert "with the keyboard, hold Shift as you move with the arrow keys" in note
    assert "with a mouse, hold Ctrl" in note and "Ctrl- or Shift-click" not in note
    assert "None chosen means all." in note
    assert "cannot be chosen" in render("filter_note.html", hidden="Cohort B")
