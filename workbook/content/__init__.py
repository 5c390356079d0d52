"""Content as data: YAML files in the content folder, validated into typed models on load.

A facilitator edits the YAML without touching code; a mistake is reported with the file and
the key that is wrong (`workbook content check` runs every check from the command line).
The layers: `base` (strict models, loading), then one module per audience's content (`preparation`,
`course`); this package imports them, and none of them imports anything above it.
"""

from __future__ import annotations

from pathlib import Path

from pydantic import BaseModel

from workbook import config
from workbook.content.base import ContentError, Ident, Strict, Text, load, load_model
from workbook.content.conversation import CONVERSATION_FILES, ConversationGuide, conversation_guide
from workbook.content.course import COURSE_FILES, Lessons, answer_position_warnings
from workbook.content.preparation import (
    NO_MANAGER_LABEL,
    TEXT_LIMITS,
    VISIBILITY_LABELS,
    Choice,
    GoalGuidance,
    Preparation,
    PrepField,
    PrepSection,
    VisibilityLevel,
    preparation,
    visibility_options,
)

# Every content file the apps read, by file name.
CONTENT_FILES: dict[str, type[BaseModel]] = {
    "preparation.yaml": Preparation,
    **COURSE_FILES,
    **CONVERSATION_FILES,
}


def content_files() -> dict[str, type[BaseModel]]:
    return dict(CONTENT_FILES)


def check_all(folder: Path | None = None) -> list[str]:
    """Validate every content file; returns the problems (empty when all is well)."""
    problems = []
    for name, model in CONTENT_FILES.items():
        try:
            load_model((folder or config.content_dir()) / name, model)
        except ContentError as exc:
            problems.append(str(exc))
    return problems


def content_warnings(folder: Path | None = None) -> list[str]:
    """What is valid but unwise in the content (run after `check_all` found no problem)."""
    course = load_model((folder or config.content_dir()) / "lessons.yaml", Lessons)
    return answer_position_warnings(course)


__all__ = [
    "CONTENT_FILES",
    "TEXT_LIMITS",
    "NO_MANAGER_LABEL",
    "VISIBILITY_LABELS",
    "visibility_options",
    "Choice",
    "ContentError",
    "ConversationGuide",
    "GoalGuidance",
    "Ident",
    "PrepField",
    "PrepSection",
    "Preparation",
    "Strict",
    "Text",
    "VisibilityLevel",
    "check_all",
    "content_warnings",
    "content_files",
    "conversation_guide",
    "load",
    "load_model",
    "preparation",
]
