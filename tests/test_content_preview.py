"""The content preview follows the drafts: a saved edit re-renders the lesson, a mistake is named."""

from __future__ import annotations

from widget_helpers import find

from workbook.apps import preview as preview_module
from workbook.apps.preview import ContentPreview, preview_app
from workbook.content import course


def _edit(folder, old: str, new: str) -> None:
    path = folder / "lessons.yaml"
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def _shown(preview: ContentPreview) -> str:
    return " ".join(getattr(w, "value", "") or "" for w in preview.body.children)


def test_a_saved_edit_re_renders_and_a_mistake_is_named_escaped(content_drafts):
    first = course.lessons(content_drafts).lessons[0]
    preview = ContentPreview()
    assert preview.choice.value == first.id
    assert first.title in _shown(preview)
    assert "Not published yet" in preview.state.value  # nothing published in this data folder
    _edit(content_drafts, f"title: {first.title}", "title: Why careers <b>matter</b>")
    preview.refresh_if_changed()  # what the page's ticker runs every few seconds
    assert "Why careers &lt;b&gt;matter&lt;/b&gt;" in _shown(preview)
    body_before = _shown(preview)
    _edit(content_drafts, "title: Why careers <b>matter</b>", "title: [unclosed")
    preview.refresh_if_changed()
    assert "lessons.yaml" in preview.problems.value and "wb-error" in preview.problems.value
    assert _shown(preview) == body_before  # the last version without mistakes stays
    _edit(content_drafts, "title: [unclosed", f"title: {first.title}")
    preview.refresh_if_changed()
    assert preview.problems.value == "" and first.title in _shown(preview)


def test_another_lesson_can_be_chosen(content_drafts):
    preview = ContentPreview()
    second = course.lessons(content_drafts).lessons[1]
    preview.choice.value = second.id
    assert second.title in _shown(preview)


def test_in_an_authors_server_under_a_hub_the_preview_opens_without_the_store(content_drafts, monkeypatch):
    """The hub's `author` server (content-authors only) holds no store settings: the preview needs none."""

    def no_store(*_args, **_kwargs):
        raise AssertionError("the author's preview must not open the store")

    monkeypatch.setattr(preview_module, "Store", no_store)
    monkeypatch.setenv("WORKBOOK_AUTHOR_SERVER", "1")
    monkeypatch.setenv("JUPYTERHUB_USER", "fay")
    monkeypatch.setenv("JUPYTERHUB_API_TOKEN", "the-servers-token")
    page = preview_app()
    assert find(page, "wb-preview") and find(page, "wb-signin") == []
    [note] = find(page, "wb-preview-state")
    assert "once the operator publishes them" in note.value


def test_the_author_flag_alone_does_not_open_the_preview(content_drafts, monkeypatch, store):
    """Outside a hub (workbook serve, workbook lab) the flag means nothing: the preview asks for sign-in."""
    monkeypatch.setenv("WORKBOOK_AUTHOR_SERVER", "1")
    monkeypatch.delenv("JUPYTERHUB_USER", raising=False)
    page = preview_app(store)
    assert find(page, "wb-signin") and find(page, "wb-preview") == []
