"""Drafts and published content: an edit of the content folder reaches the apps only once published,
and a draft with a mistake is never published."""

from __future__ import annotations

import pytest

from workbook import config
from workbook.cli import main
from workbook.content import ContentError, course
from workbook.content.publish import draft_changes, ensure_published, publish
from workbook.content.published import live_dir


def _retitle(folder, new: str) -> None:
    path = folder / "lessons.yaml"
    text = path.read_text(encoding="utf-8")
    old = course.lessons(folder).lessons[0].title
    path.write_text(text.replace(f"title: {old}", f"title: {new}", 1), encoding="utf-8")


def test_before_a_first_publish_the_apps_read_the_content_folder(content_drafts):
    assert live_dir() == content_drafts
    assert ensure_published() is not None  # what `workbook serve` does on its first start
    assert live_dir() == config.published_content_dir()
    assert ensure_published() is None  # and only then


def test_an_edit_is_a_draft_until_it_is_published(content_drafts, capsys):
    first = publish()
    assert set(first.changed) == set(first.files)
    before = course.lessons().lessons[0].title
    _retitle(content_drafts, "A draft title")
    assert course.lessons().lessons[0].title == before  # the apps still read the publication
    assert course.lessons(content_drafts).lessons[0].title == "A draft title"  # the preview reads the draft
    assert draft_changes() == ["lessons.yaml"]
    assert main(["content", "check"]) == 0
    assert "Not published yet (the apps show the last publication): lessons.yaml" in capsys.readouterr().out
    assert main(["content", "publish"]) == 0
    assert "(lessons.yaml)" in capsys.readouterr().out
    assert course.lessons().lessons[0].title == "A draft title"
    assert draft_changes() == []


def test_a_draft_with_a_mistake_is_never_published(content_drafts, capsys):
    publish()
    published = (config.published_content_dir() / "lessons.yaml").read_text(encoding="utf-8")
    _retitle(content_drafts, "")  # an empty title: refused by the content's checks
    with pytest.raises(ContentError, match=r"(?s)nothing was published.*lessons\.yaml: lessons\.0\.title"):
        publish()
    assert (config.published_content_dir() / "lessons.yaml").read_text(encoding="utf-8") == published
    assert main(["content", "publish"]) == 2
    assert "lessons.yaml" in capsys.readouterr().err
    assert course.lessons().lessons[0].title  # the apps go on with the last good publication
