"""Which folder the apps read content from: the publication (`workbook content publish`), or the content
folder itself before anything is published. Apart from `publish` so that loading content needs nothing
of the publishing."""

from __future__ import annotations

from pathlib import Path

from workbook import config

RECORD = "PUBLISHED.json"  # written last into a publication: a folder without it is not one


def live_dir() -> Path:
    """The folder the apps read content from: the publication, or the content folder before the first."""
    published = config.published_content_dir()
    return published if (published / RECORD).is_file() else config.content_dir()
