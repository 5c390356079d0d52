"""Times shown in the visitor's own time zone.

The kernel runs on the server, whose clock says nothing about where the visitor is. A tiny widget in
every page reads the browser's time zone (``Intl.DateTimeFormat``) and sends its name; until it has (or if
a browser says nothing) times are shown in ``WORKBOOK_TIME_ZONE``. A kernel serves one page, so the zone
it learnt is the zone of the one person it serves. A name that is not a real time zone (a crafted
message) is refused and changes nothing.
"""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import anywidget
import traitlets

from workbook.config import default_time_zone

_MAX_NAME = 64  # the longest IANA names are about 30 characters
_visitor_zone: ZoneInfo | None = None


class BrowserTimeZone(anywidget.AnyWidget):
    """Sends the browser's time zone name once; shows nothing."""

    _esm = """
    function render({ model, el }) {
      el.hidden = true;
      let zone = "";
      try { zone = Intl.DateTimeFormat().resolvedOptions().timeZone || ""; } catch (e) { zone = ""; }
      if (zone && model.get("time_zone") !== zone) {
        model.set("time_zone", zone);
        model.save_changes();
      }
    }
    export default { render };
    """
    time_zone = traitlets.Unicode("").tag(sync=True)

    def __init__(self, **kwargs: object) -> None:
        super().__init__(**kwargs)
        self.add_class("wb-clock")

    @traitlets.validate("time_zone")
    def _a_real_zone(self, proposal: traitlets.Bunch) -> str:
        name = proposal["value"]
        if name == "":
            return name
        if not isinstance(name, str) or len(name) > _MAX_NAME:
            raise traitlets.TraitError("the time zone name is too long")
        try:
            ZoneInfo(name)
        except (ZoneInfoNotFoundError, ValueError):
            raise traitlets.TraitError(f"{name[:_MAX_NAME]!r} is not a time zone") from None
        return name

    @traitlets.observe("time_zone")
    def _learn(self, change: traitlets.Bunch) -> None:
        global _visitor_zone
        if change["new"]:
            _visitor_zone = ZoneInfo(change["new"])


def visitor_zone() -> ZoneInfo:
    """The time zone to show times in: the visitor's, once their browser said it, else the default."""
    return _visitor_zone or default_time_zone()


def local_time(moment: datetime, fmt: str = "%H:%M:%S") -> str:
    """A stored moment (UTC) as the visitor's clock shows it; named by its zone (e.g. "UTC") while the
    browser has not said the visitor's own, so nobody reads a server's time as theirs."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(visitor_zone()).strftime(fmt if _visitor_zone else f"{fmt} %Z")


def forget_visitor_zone() -> None:
    """Back to the default zone (tests, and a kernel that serves a new page)."""
    global _visitor_zone
    _visitor_zone = None
