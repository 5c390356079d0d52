"""The manager's course: the comfort and skill check (`instrument.yaml`) and the lessons
(`lessons.yaml`), validated into typed models.

Item ids, reaction ids and block ids are stored with people's answers, so the models refuse content
that would orphan them (a missing item, a duplicate id); wording is free to change.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Sequence
from pathlib import Path
from typing import Annotated, Literal

from pydantic import BaseModel, Field, model_validator

from workbook.content.base import Ident, Strict, Text, load

# Other modules (evaluation, apps) use these ids; the instrument must hold exactly these items.
ITEM_IDS: tuple[str, ...] = (
    "open_forward",
    "invite_lead",
    "listen_without_solving",
    "ask_aspirations",
    "no_role_open",
    "retain_tension",
    "offer_perspective",
    "org_support",
    "idp_support",
    "follow_up",
)
REACTION_IDS: tuple[str, ...] = ("usefulness", "relevance", "confidence_to_apply", "would_recommend")
LongText = Annotated[str, Field(min_length=1, max_length=4000)]
ShortLabel = Annotated[str, Field(min_length=1, max_length=40)]
REFLECTION_MAX = 4000
SCENARIO_MAX = 4000


def _unique(ids: list[str], what: str) -> None:
    repeated = sorted({i for i in ids if ids.count(i) > 1})
    if repeated:
        raise ValueError(f"{what} ids must be unique; repeated: {', '.join(repeated)}")


# -- the comfort and skill check ----------------------------------------------------------------------
class Scale(Strict):
    """A whole-number rating scale with one anchor label per point."""

    min: int = Field(1, ge=0, le=10)
    max: int = Field(5, ge=1, le=10)
    anchors: tuple[Text, ...]

    @model_validator(mode="after")
    def _anchor_per_point(self) -> Scale:
        if self.max <= self.min:
            raise ValueError(f"max ({self.max}) must be above min ({self.min})")
        points = self.max - self.min + 1
        if len(self.anchors) != points:
            raise ValueError(f"a {self.min}-{self.max} scale needs {points} anchors, got {len(self.anchors)}")
        return self

    @property
    def points(self) -> tuple[int, ...]:
        return tuple(range(self.min, self.max + 1))

    def anchor(self, value: int) -> str:
        return self.anchors[value - self.min]

    def options(self) -> list[tuple[str, int]]:
        """(label, value) pairs, the shape a radio-button widget takes."""
        return [(f"{value} - {self.anchor(value)}", value) for value in self.points]


class Item(Strict):
    id: Ident
    task: Text  # completes the stem: "How confident are you that you can <task>?"
    short: ShortLabel  # for charts and tables
    practice: Text  # the practice or barrier of the source material this item measures


class ReactionQuestion(Strict):
    id: Ident
    wording: Text
    anchors: tuple[Text, ...] = Field(min_length=5, max_length=5)


class ReactionComment(Strict):
    label: Text
    help: str = ""


class Reaction(Strict):
    intro: Text
    questions: tuple[ReactionQuestion, ...]
    comment: ReactionComment

    @model_validator(mode="after")
    def _known_questions(self) -> Reaction:
        ids = [q.id for q in self.questions]
        _unique(ids, "reaction question")
        if set(ids) != set(REACTION_IDS):
            raise ValueError(
                f"reaction questions must be exactly {', '.join(REACTION_IDS)}; got {', '.join(ids)}"
            )
        return self


class Instrument(Strict):
    title: Text
    intro: Text
    then_intro: Text
    scale: Scale
    wording_stem: Text
    then_stem: Text
    items: tuple[Item, ...]
    reaction: Reaction

    @model_validator(mode="after")
    def _check(self) -> Instrument:
        for name in ("wording_stem", "then_stem"):
            if getattr(self, name).count("{task}") != 1:
                raise ValueError(f"{name} must contain {{task}} exactly once")
        ids = [item.id for item in self.items]
        _unique(ids, "item")
        missing = [i for i in ITEM_IDS if i not in ids]
        unknown = [i for i in ids if i not in ITEM_IDS]
        if missing or unknown:
            raise ValueError(
                "items must be exactly the ten ids the code uses"
                + (f"; missing: {', '.join(missing)}" if missing else "")
                + (f"; unknown: {', '.join(unknown)}" if unknown else "")
            )
        return self

    @property
    def item_ids(self) -> tuple[str, ...]:
        return tuple(item.id for item in self.items)

    def item(self, item_id: str) -> Item:
        for item in self.items:
            if item.id == item_id:
                return item
        raise KeyError(item_id)

    def wording(self, item_id: str, wave: str = "pre") -> str:
        """The question as asked in `wave`: the `then` wave looks back to before the programme."""
        stem = self.then_stem if wave == "then" else self.wording_stem
        return stem.replace("{task}", self.item(item_id).task)

    @property
    def then_prefix(self) -> str:
        """The opening words of every `then` question, up to the first comma
        (e.g. "Looking back to before the programme,")."""
        head = self.then_stem.split("{task}")[0]
        return head.split(",")[0] + "," if "," in head else head.strip()


# -- the lessons --------------------------------------------------------------------------------------
class TextBlock(Strict):
    kind: Literal["text"]
    id: Ident
    body: LongText

    def paragraphs(self) -> list[str]:
        return [p.strip() for p in self.body.split("\n\n") if p.strip()]

    def runs(self) -> list[list[tuple[bool, list[str]]]]:
        """Per paragraph, its runs of lines: (True, items) for lines starting with "- " (a bulleted
        list), (False, lines) for text; how every page and handout lays a passage out."""
        return [paragraph_runs(p) for p in self.paragraphs()]


def paragraph_runs(paragraph: str) -> list[tuple[bool, list[str]]]:
    """One paragraph as consecutive runs of list items ("- ") and of plain lines."""
    runs: list[tuple[bool, list[str]]] = []
    for line in (line.strip() for line in paragraph.splitlines()):
        if not line:
            continue
        bullet = line.startswith("- ")
        if not runs or runs[-1][0] != bullet:
            runs.append((bullet, []))
        runs[-1][1].append(line[2:].strip() if bullet else line)
    return runs


class Option(Strict):
    id: Ident
    label: Text
    correct: bool = False
    feedback: Text  # why this option is right or wrong


# The page says whether a chosen answer is right ("That is right." / "Not quite."), then shows the
# option's feedback in the same sentence run: feedback that opens with its own verdict would say it twice.
VERDICT_OPENING = re.compile(
    r"^\s*(right|yes|correct|exactly|well done|that is right|that's right|good|not quite|no|wrong|incorrect)"
    r"\s*[.,!:;]",
    re.IGNORECASE,
)


def opens_with_a_verdict(feedback: str) -> str | None:
    """The verdict a feedback text opens with ("Right.", "Not quite."), or None."""
    found = VERDICT_OPENING.match(feedback)
    return found.group(0).strip() if found else None


class KnowledgeCheck(Strict):
    kind: Literal["check"]
    id: Ident
    question: Text
    options: tuple[Option, ...] = Field(min_length=2, max_length=6)

    @model_validator(mode="after")
    def _one_correct(self) -> KnowledgeCheck:
        _unique([o.id for o in self.options], "option")
        correct = [o.id for o in self.options if o.correct]
        if len(correct) != 1:
            raise ValueError(f"a check needs exactly one correct option, got {len(correct)}")
        for option in self.options:
            if verdict := opens_with_a_verdict(option.feedback):
                raise ValueError(
                    f"option {option.id!r}: its feedback opens with {verdict!r}, but the page already says "
                    "whether the answer is right: start with the explanation"
                )
        return self

    @property
    def correct_option(self) -> Option:
        return next(o for o in self.options if o.correct)

    def option(self, option_id: str) -> Option:
        for option in self.options:
            if option.id == option_id:
                return option
        raise KeyError(option_id)


class Reflection(Strict):
    """A private free-text prompt; answers are only ever shown to their author."""

    kind: Literal["reflection"]
    id: Ident
    prompt: Text
    help: str = ""


class Scenario(Strict):
    kind: Literal["scenario"]
    id: Ident
    title: Text
    situation: Text
    prompt: Text
    checklist: tuple[Text, ...] = Field(min_length=4, max_length=6)
    example: LongText


Block = Annotated[TextBlock | KnowledgeCheck | Reflection | Scenario, Field(discriminator="kind")]
INTERACTIVE = (KnowledgeCheck, Reflection, Scenario)
MAX_TEXT_RUN = 3  # an interaction at least every few passages


class Lesson(Strict):
    id: Ident
    title: Text
    summary: Text
    blocks: tuple[Block, ...] = Field(min_length=2)

    @model_validator(mode="after")
    def _check(self) -> Lesson:
        _unique([b.id for b in self.blocks], "block")
        run = 0
        for block in self.blocks:
            run = 0 if isinstance(block, INTERACTIVE) else run + 1
            if run > MAX_TEXT_RUN:
                raise ValueError(
                    f"more than {MAX_TEXT_RUN} text blocks in a row before {block.id!r}; add a check, "
                    "reflection or scenario"
                )
        if not any(isinstance(b, INTERACTIVE) for b in self.blocks):
            raise ValueError("a lesson needs at least one check, reflection or scenario")
        return self

    def block(self, block_id: str) -> TextBlock | KnowledgeCheck | Reflection | Scenario:
        for block in self.blocks:
            if block.id == block_id:
                return block
        raise KeyError(block_id)

    @property
    def interactive(self) -> tuple[KnowledgeCheck | Reflection | Scenario, ...]:
        return tuple(b for b in self.blocks if isinstance(b, INTERACTIVE))  # type: ignore[misc]


def lesson_parts(blocks: Sequence[object]) -> list[tuple[object, ...]]:
    """A lesson in parts, as its page shows them: the text blocks leading up to each activity, with
    that activity. Text after the last activity joins the last part."""
    parts: list[list[object]] = []
    current: list[object] = []
    for block in blocks:
        current.append(block)
        if not isinstance(block, TextBlock):
            parts.append(current)
            current = []
    if current:
        if parts:
            parts[-1].extend(current)
        else:
            parts.append(current)
    return [tuple(part) for part in parts]


class Lessons(Strict):
    title: Text
    intro: Text
    lessons: tuple[Lesson, ...] = Field(min_length=1)

    @model_validator(mode="after")
    def _check(self) -> Lessons:
        _unique([lesson.id for lesson in self.lessons], "lesson")
        # Scenarios are listed across lessons on the practice page, so their ids are unique overall.
        _unique(
            [b.id for lesson in self.lessons for b in lesson.blocks if isinstance(b, Scenario)], "scenario"
        )
        return self

    def lesson(self, lesson_id: str) -> Lesson:
        for lesson in self.lessons:
            if lesson.id == lesson_id:
                return lesson
        raise KeyError(lesson_id)

    @property
    def scenarios(self) -> tuple[Scenario, ...]:
        return tuple(b for lesson in self.lessons for b in lesson.blocks if isinstance(b, Scenario))


# -- loading -----------------------------------------------------------------------------
COURSE_FILES: dict[str, type[BaseModel]] = {
    "instrument.yaml": Instrument,
    "lessons.yaml": Lessons,
}


def instrument(folder: Path | None = None) -> Instrument:
    return load("instrument.yaml", Instrument, folder)


def answer_position_warnings(course: Lessons) -> list[str]:
    """A warning when one option position (A, B, ...) holds the right answer of most knowledge checks:
    people learn the position instead of the idea, and a room's chart then shows it."""
    checks = [b for lesson in course.lessons for b in lesson.blocks if isinstance(b, KnowledgeCheck)]
    if len(checks) < 3:
        return []
    positions = Counter(check.options.index(check.correct_option) for check in checks)
    position, count = positions.most_common(1)[0]
    if count * 2 <= len(checks):
        return []
    letter = chr(ord("A") + position)
    return [
        f"lessons.yaml: the right answer is option {letter} in {count} of the {len(checks)} knowledge "
        "checks; "
        "spread the right answers over the positions"
    ]


def lessons(folder: Path | None = None) -> Lessons:
    return load("lessons.yaml", Lessons, folder)
