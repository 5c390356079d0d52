"""Drafts and published content: authors edit the content folder (a draft, seen in the preview only); the
apps read the copy `workbook content publish` made, so a typo never reaches a running cohort.

Publishing checks every draft file first (the same checks as `workbook content check`) and publishes all
of them or none; the new copy is written beside the old one and swapped in by renaming, so an app never
reads half a publication. Until anything is published the apps read the content folder itself, and
`workbook serve` publishes it on its first start."""

from __future__ import annotations

import hashlib
import json
import os
import shutil
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from workbook import config
from workbook.content.base import ContentError
from workbook.content.published import RECORD


@dataclass(frozen=True)
class Publication:
    published_at: datetime
    files: dict[str, str]  # file name -> sha256 of its text
    changed: tuple[str, ...]  # the files that differ from the publication before


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _record(folder: Path) -> dict | None:
    try:
        return json.loads((folder / RECORD).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None


def draft_changes() -> list[str]:
    """The content files whose draft differs from the published copy (all of them before a first publish)."""
    from workbook.content import content_files

    record = _record(config.published_content_dir()) or {"files": {}}
    drafts = config.content_dir()
    return [
        name
        for name in content_files()
        if (drafts / name).is_file() and record["files"].get(name) != _digest(drafts / name)
    ]


def publish() -> Publication:
    """Check every draft and publish them together; ContentError listing every problem (nothing changes)."""
    from workbook.content import check_all, content_files

    drafts = config.content_dir()
    problems = check_all(drafts)
    if problems:
        raise ContentError("nothing was published; fix these first:\n" + "\n".join(problems))
    changed = tuple(draft_changes())
    target = config.published_content_dir()
    target.parent.mkdir(parents=True, exist_ok=True)
    fresh = target.with_name(f".{target.name}.new")
    shutil.rmtree(fresh, ignore_errors=True)
    fresh.mkdir()
    files = {}
    for name in content_files():
        shutil.copyfile(drafts / name, fresh / name)
        files[name] = _digest(fresh / name)
    moment = datetime.now(UTC)
    (fresh / RECORD).write_text(
        json.dumps({"published_at": moment.isoformat(), "source": str(drafts), "files": files}, indent=1),
        encoding="utf-8",
    )
    old = target.with_name(f".{target.name}.old")
    shutil.rmtree(old, ignore_errors=True)
    if target.exists():
        os.replace(target, old)
    os.replace(fresh, target)
    shutil.rmtree(old, ignore_errors=True)
    return Publication(moment, files, changed)


def ensure_published() -> Publication | None:
    """Publish the content folder if nothing is published yet (a first start); None if there was."""
    if (config.published_content_dir() / RECORD).is_file():
        return None
    return publish()
