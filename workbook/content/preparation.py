"""The team member's preparation (`preparation.yaml`): sections, questions, goals, who can see what."""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import Field, model_validator

from workbook.content.base import Ident, Strict, Text, load

VisibilityLevel = Literal["private", "manager", "facilitator"]

VISIBILITY_LABELS: dict[str, str] = {
    "private": "Only you",
    "manager": "You and your manager",
    "facilitator": "You and your programme facilitator",
}
# Offered to a person with no manager in the workbook: the choice is kept, and a manager named later sees
# the section, but until then nobody but them does, and the label must not promise otherwise.
NO_MANAGER_LABEL = "Your manager, once one is named (for now only you)"


def visibility_options(has_manager: bool) -> list[tuple[str, str]]:
    """(label, level) pairs for the "Who can see this" choice, true to whether the person has a manager."""
    return [
        (NO_MANAGER_LABEL if level == "manager" and not has_manager else label, level)
        for level, label in VISIBILITY_LABELS.items()
    ]


FieldKind = Literal["short_text", "long_text", "choices", "date", "goals"]
TEXT_LIMITS: dict[str, int] = {"short_text": 300, "long_text": 4000}


class Choice(Strict):
    id: Ident
    label: Text


class PrepField(Strict):
    id: Ident
    label: Text
    kind: FieldKind
    help: str = ""
    placeholder: str = ""
    choices: tuple[Choice, ...] = ()
    required: bool = True

    @model_validator(mode="after")
    def _choices_match_kind(self) -> PrepField:
        if self.kind == "choices" and not self.choices:
            raise ValueError("a 'choices' field needs a list of choices")
        if self.kind != "choices" and self.choices:
            raise ValueError(f"a '{self.kind}' field cannot have choices")
        return self


class GoalGuidance(Strict):
    recommended_min: int = Field(2, ge=1, le=5)
    max: int = Field(3, ge=1, le=5)
    why: Text
    fields: tuple[PrepField, ...]


class PrepSection(Strict):
    id: Ident
    title: Text
    why: Text
    intro: str = ""
    default_visibility: VisibilityLevel = "private"
    fields: tuple[PrepField, ...] = ()
    goals: GoalGuidance | None = None

    @model_validator(mode="after")
    def _has_questions(self) -> PrepSection:
        if not self.fields and self.goals is None:
            raise ValueError("a section needs fields or goals")
        ids = [f.id for f in self.fields]
        if len(ids) != len(set(ids)):
            raise ValueError("field ids must be unique within a section")
        return self


class Preparation(Strict):
    title: Text
    intro: Text
    sections: tuple[PrepSection, ...] = Field(min_length=1)

    @model_validator(mode="after")
    def _unique_sections(self) -> Preparation:
        ids = [s.id for s in self.sections]
        if len(ids) != len(set(ids)):
            raise ValueError("section ids must be unique")
        return self

    def section(self, section_id: str) -> PrepSection:
        for section in self.sections:
            if section.id == section_id:
                return section
        raise KeyError(section_id)


def preparation(folder: Path | None = None) -> Preparation:
    return load("preparation.yaml", Preparation, folder)
