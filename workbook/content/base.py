"""What every content file shares: strict models, reading YAML into them with errors that name the
file and the key, and a cache that reloads a file when it changes."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Annotated, TypeVar

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from workbook.content.published import live_dir

M = TypeVar("M", bound=BaseModel)

Text = Annotated[str, Field(min_length=1, max_length=2000)]
Ident = Annotated[str, Field(pattern=r"^[a-z][a-z0-9_]{0,59}$")]


class ContentError(ValueError):
    """A content file is missing, not YAML, or does not match its schema."""


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


def _where(loc: tuple) -> str:
    return ".".join(str(part) for part in loc) or "(top level)"


# libyaml's safe loader when PyYAML was built with it: the same documents, read several times faster
# (a page reads its content once per kernel, while the visitor waits).
SAFE_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def load_model(path: Path, model: type[M]) -> M:
    """Read one YAML file into `model`, or raise ContentError naming the file and the keys."""
    try:
        raw = yaml.load(path.read_text(encoding="utf-8"), Loader=SAFE_LOADER)
    except FileNotFoundError as exc:
        raise ContentError(f"{path}: file not found") from exc
    except (yaml.YAMLError, UnicodeDecodeError) as exc:
        raise ContentError(f"{path}: not valid YAML: {exc}") from exc
    try:
        return model.model_validate(raw)
    except ValidationError as exc:
        problems = "; ".join(f"{_where(err['loc'])}: {err['msg']}" for err in exc.errors())
        raise ContentError(f"{path}: {problems}") from exc


@lru_cache(maxsize=16)
def _cached(path: Path, mtime: float, model: type[BaseModel]) -> BaseModel:
    return load_model(path, model)


def load(name: str, model: type[M], folder: Path | None = None) -> M:
    """Load one content file into `model` (cached until the file changes): from `folder`, or else from the
    published content the apps read (`published.live_dir`)."""
    path = (folder or live_dir()) / name
    mtime = path.stat().st_mtime if path.exists() else 0.0
    return _cached(path, mtime, model)  # type: ignore[return-value]
