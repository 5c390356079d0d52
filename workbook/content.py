"""Content as data: YAML files in the content folder, validated into typed models on load.

A facilitator edits the YAML without touching code; a mistake is reported with the file and
the key that is wrong (`workbook content check` runs every check from the command line).
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Annotated, Literal, TypeVar

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from workbook import config

M = TypeVar("M", bound=BaseModel)

Text = Annotated[str, Field(min_length=1, max_length=2000)]
Ident = Annotated[str, Field(pattern=r"^[a-z][a-z0-9_]{0,59}$")]
VisibilityLevel = Literal["private", "manager", "facilitator"]

VISIBILITY_LABELS: dict[str, str] = {
    "private": "Only you",
    "manager": "You and your manager",
    "facilitator": "You and your programme facilitator",
}


class ContentError(ValueError):
    """A content file is missing, not YAML, or does not match its schema."""


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


def _where(loc: tuple) -> str:
    return ".".join(str(part) for part in loc) or "(top level)"


def load_model(path: Path, model: type[M]) -> M:
    """Read one YAML file into `model`, or raise ContentError naming the file and the keys."""
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    except FileNotFoundError as exc:
        raise ContentError(f"{path}: file not found") from exc
    except (yaml.YAMLError, UnicodeDecodeError) as exc:
        raise ContentError(f"{path}: not valid YAML: {exc}") from exc
    try:
        return model.model_validate(raw)
    except ValidationError as exc:
        problems = "; ".join(f"{_where(err['loc'])}: {err['msg']}" for err in exc.errors())
        raise ContentError(f"{path}: {problems}") from exc


# -- the team member's preparation ----------------------------------------------------------------
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


# -- registry of content files ---------------------------------------------------------------------
CONTENT_FILES: dict[str, type[BaseModel]] = {
    "preparation.yaml": Preparation,
}


def content_files() -> dict[str, type[BaseModel]]:
    """Every content file the apps read, by file name; the manager track registers its own files."""
    from workbook.manager.content import MANAGER_CONTENT_FILES  # that module imports this one

    return {**CONTENT_FILES, **MANAGER_CONTENT_FILES}


@lru_cache(maxsize=16)
def _cached(path: Path, mtime: float, model: type[BaseModel]) -> BaseModel:
    return load_model(path, model)


def load(name: str, folder: Path | None = None) -> BaseModel:
    """Load a registered content file from the content folder (cached until the file changes)."""
    model = content_files()[name]
    path = (folder or config.content_dir()) / name
    mtime = path.stat().st_mtime if path.exists() else 0.0
    return _cached(path, mtime, model)


def preparation(folder: Path | None = None) -> Preparation:
    return load("preparation.yaml", folder)  # type: ignore[return-value]


def check_all(folder: Path | None = None) -> list[str]:
    """Validate every registered content file; returns the problems (empty when all is well)."""
    problems = []
    for name, model in content_files().items():
        try:
            load_model((folder or config.content_dir()) / name, model)
        except ContentError as exc:
            problems.append(str(exc))
    return problems

