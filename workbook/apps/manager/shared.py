"""What the manager's tabs share: the title, the status line of a form sent with a button, dates in
words, and the home page's interface."""

from __future__ import annotations

from datetime import date, timedelta
from typing import TYPE_CHECKING, Protocol

from workbook.apps.common import (
    SaveStatus,
)
from workbook.identity import Person
from workbook.store import Store

if TYPE_CHECKING:
    import pandas as pd

    from workbook.apps.feedback import FeedbackPanel

TITLE = "Career conversations: the manager's course"
NOT_ANSWERED = '<p class="wb-field-error" role="alert">Not answered yet.</p>'
VISIBILITY_CHOICES = {"private": "Only me (private)", "facilitator": "Me and my facilitator"}
PLAN_AHEAD = timedelta(days=14)


class SubmitStatus(SaveStatus):
    """The status line of a form that is sent with a button rather than saved as one types."""

    def __init__(self, message: str) -> None:
        super().__init__()
        self.idle(message)

    def idle(self, message: str) -> None:
        self._show("idle", message)

    def done(self, message: str) -> None:
        self._show("saved", message)


def day_text(moment: date) -> str:
    return moment.strftime("%d %b %Y").lstrip("0")


class Home(Protocol):
    """What the manager's tabs need of the home page they sit in (so none of them imports it)."""

    store: Store
    person: Person
    code: str
    waves: dict[str, bool] | None
    scores: pd.DataFrame
    feedback: FeedbackPanel  # the facilitator's feedback on what the manager shared with them

    def after_scores(self) -> None: ...
