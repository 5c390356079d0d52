"""The manager's reaction to the programme: four ratings and a comment, private unless shared."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

import ipywidgets as widgets

from workbook.apps.choices import ChoiceGroup
from workbook.apps.common import (
    Autosaver,
    FieldNote,
    SaveStatus,
    css,
    full_width,
    label,
    named,
)
from workbook.apps.manager.shared import (
    VISIBILITY_CHOICES,
    Home,
)
from workbook.apps.markup import help_text, section_head
from workbook.manager.content import instrument
from workbook.manager.reaction import COMMENT_VISIBILITY, SCOPE, clean_comment, my_reaction, save_reaction
from workbook.sharing import COMMENT_ITEM
from workbook.store import utcnow
from workbook.validation import InputError


# -- Reaction ----------------------------------------------------------------------------------------------
class ReactionTab:
    """Four ratings of the programme and a comment; the comment is private unless shared."""

    def __init__(self, home: Home) -> None:
        self.home = home
        self.status = SaveStatus()
        self.status.widget.add_class("wb-reaction-status")
        self.autosaver = Autosaver(self.status)
        reaction = instrument().reaction
        self.current = my_reaction(home.store, home.person)
        self.ratings: dict[str, ChoiceGroup] = {}
        rows: list[widgets.Widget] = [
            widgets.HTML(section_head("Your reaction to the programme", reaction.intro)),
            self.status.widget,
        ]
        for question in reaction.questions:
            box = ChoiceGroup(
                question.wording,
                [(f"{n} - {anchor}", n) for n, anchor in enumerate(question.anchors, start=1)],
                value=self.current.ratings.get(question.id),
                _dom_classes=css("wb-rating", f"wb-rating-{question.id}"),
            )
            box.observe(lambda change, q=question.id: self.save_rating(q, change["new"]), "value")
            self.ratings[question.id] = box
            rows.append(box)
        self.comment = widgets.Textarea(
            value=self.current.comment, rows=4, layout=full_width(), _dom_classes=css("wb-reaction-comment")
        )
        named(self.comment, reaction.comment.label)
        self.comment_note = FieldNote(self.status, "comment", self.comment)
        self.comment.observe(lambda change: self.save_comment(change["new"]), "value")
        self.visibility = ChoiceGroup(
            "Who can see your comment",
            [(VISIBILITY_CHOICES[key], key) for key in COMMENT_VISIBILITY],
            value=self.current.visibility,
            _dom_classes=css("wb-reaction-visibility"),
        )
        self.visibility.observe(lambda change: self.save_visibility(change["new"]), "value")
        self.feedback = widgets.HTML(
            home.feedback.html((SCOPE, COMMENT_ITEM)), _dom_classes=css("wb-reaction-feedback")
        )
        rows += [
            label(reaction.comment.label),
            widgets.HTML(help_text(reaction.comment.help)) if reaction.comment.help else None,
            self.comment,
            self.comment_note.widget,
            self.visibility,
            self.feedback,
        ]
        self.widget = widgets.VBox([r for r in rows if r is not None], _dom_classes=css("wb-tab-reaction"))

    def _save(self, ratings: Mapping[str, Any], comment: str | None, visibility: object) -> datetime:
        self.current = save_reaction(self.home.store, self.home.person, ratings, comment, visibility)
        return utcnow()

    def save_rating(self, question: object, value: object) -> None:
        self.autosaver.schedule(
            f"rating:{question}", lambda: self._save({question: value}, None, self.current.visibility)
        )

    def save_comment(self, text: object) -> None:
        """Check the comment at once (a bad one is shown beside it); save it after a pause in typing."""
        try:
            comment = clean_comment(text)
        except InputError as exc:
            self.comment_note.refuse(exc)
            return
        self.comment_note.accept()
        self.autosaver.schedule("comment", lambda: self._save({}, comment, self.current.visibility))

    def save_visibility(self, level: object) -> None:
        self.autosaver.schedule("visibility", lambda: self._save({}, None, level))
