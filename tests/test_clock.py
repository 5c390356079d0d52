"""Times show in the visitor's time zone, told by their browser; a crafted zone is refused."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
import traitlets

from workbook.apps import clock
from workbook.apps.common import SaveStatus, when
from workbook.config import ConfigError, default_time_zone

MOMENT = datetime(2026, 11, 29, 16, 52, 12, tzinfo=UTC)


@pytest.fixture(autouse=True)
def _fresh_zone(monkeypatch):
    monkeypatch.delenv("WORKBOOK_TIME_ZONE", raising=False)
    clock.forget_visitor_zone()
    yield
    clock.forget_visitor_zone()


def test_before_the_browser_speaks_times_name_their_zone(monkeypatch):
    assert clock.local_time(MOMENT) == "16:52:12 UTC"
    monkeypatch.setenv("WORKBOOK_TIME_ZONE", "Asia/Tokyo")
    assert clock.local_time(MOMENT) == "01:52:12 JST"


def test_the_browser_zone_is_used_for_every_time_shown():
    clock.BrowserTimeZone().time_zone = "America/Sao_Paulo"
    assert clock.local_time(MOMENT) == "13:52:12"
    status = SaveStatus()
    status.saved(MOMENT)
    assert "All changes saved (13:52:12)" in status.widget.value and "UTC" not in status.widget.value
    assert when(MOMENT) == "29 Nov 2026, 13:52"


@pytest.mark.parametrize("crafted", ["Mars/Olympus", "../../etc/passwd", "x" * 10_000, "<script>"])
def test_a_crafted_zone_is_refused_and_changes_nothing(crafted):
    widget = clock.BrowserTimeZone()
    widget.time_zone = "Europe/Lisbon"
    with pytest.raises(traitlets.TraitError):
        widget.time_zone = crafted
    assert widget.time_zone == "Europe/Lisbon" and clock.local_time(MOMENT) == "16:52:12"


def test_a_wrong_default_zone_is_named(monkeypatch):
    monkeypatch.setenv("WORKBOOK_TIME_ZONE", "Atlantis/Capital")
    with pytest.raises(ConfigError, match="WORKBOOK_TIME_ZONE: 'Atlantis/Capital' is not a time zone"):
        default_time_zone()


def test_a_page_keeps_one_time_zone_widget_through_sign_in(store, monkeypatch):
    """Signing in swaps the form for the workbook but keeps the page's one time-zone widget, so no
    widget is left behind in the kernel for every state the page goes through."""
    from ipywidgets.widgets.widget import _instances
    from widget_helpers import find

    from workbook import identity
    from workbook.apps.participant import participant_app

    def zone_widgets() -> int:
        return sum(isinstance(w, clock.BrowserTimeZone) for w in list(_instances.values()))

    before = zone_widgets()
    issued = identity.add_participant(store, "Zoe Zone")
    monkeypatch.setenv("QUERY_STRING", f"code={issued.code}")
    page = participant_app(store)
    assert find(page, "wb-workbook"), "signed in"
    assert zone_widgets() - before == 1
