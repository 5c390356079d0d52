"""One shape for the parts of every page: a view whose container exists at once and whose widgets are
built when it is first opened, and a Tab that opens its pages as a person chooses them.

A page that builds all its sections up front makes hundreds of widget models before anything shows;
building only the page a person is looking at keeps the first render as small as the first section.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any, Generic, Protocol, TypeVar

import ipywidgets as widgets
import traitlets


class View(Protocol):
    """A part of a page. `widget` is its container, there from the start (empty until built);
    `build()` makes its widgets, once. A view gets what it shows and the page's services (status
    line, store) when it is made; it never holds the page, and the page learns of its values by
    observing its traits."""

    widget: widgets.Widget

    @property
    def built(self) -> bool: ...

    def build(self) -> None: ...


T = TypeVar("T")


class Deferred(Generic[T]):
    """A View around an object made by `make()` on first open, whose `.widget` is then shown in the
    container (for tabs made elsewhere as ordinary objects, like the manager's)."""

    def __init__(self, make: Callable[[], T], *dom_classes: str) -> None:
        self._make = make
        self._content: T | None = None
        self.widget = widgets.VBox(_dom_classes=list(dom_classes))

    @property
    def built(self) -> bool:
        return self._content is not None

    def build(self) -> None:
        if self._content is None:
            self._content = self._make()
            self.widget.children = [self._content.widget]  # type: ignore[attr-defined]

    @property
    def content(self) -> T:
        """The object, made now if the page has not opened it yet."""
        self.build()
        assert self._content is not None
        return self._content

    @property
    def content_if_built(self) -> T | None:
        return self._content


class LazyTabs:
    """A Tab over views: the selected one is built at once, every other one when it is first selected.

    The browser shows a tab's container immediately and its contents as soon as the kernel has built
    them (the selection reaches the kernel as a change of `selected_index`)."""

    def __init__(self, pages: Sequence[tuple[str, View]], *dom_classes: str) -> None:
        self.views = [view for _, view in pages]
        self.widget = widgets.Tab(
            children=[view.widget for view in self.views],
            titles=[title for title, _ in pages],
            _dom_classes=list(dom_classes),
        )
        self.widget.observe(self._on_select, "selected_index")
        if self.views:
            self.open(self.widget.selected_index or 0)

    def _on_select(self, change: dict) -> None:
        if change["new"] is not None:
            self.open(change["new"])

    def open(self, index: int) -> View:
        """Build the view at `index` if it is not built yet (selecting it is up to the caller)."""
        view = self.views[index]
        if not view.built:
            view.build()
        return view

    def select(self, index: int) -> View:
        """Show the view at `index`, as a click on its tab does."""
        self.widget.selected_index = index
        return self.open(index)


class Shown:
    """A View that is built already (a small page, cheaper to make than to defer)."""

    built = True

    def __init__(self, widget: widgets.Widget) -> None:
        self.widget = widget

    def build(self) -> None:
        pass


class ViewGroup(traitlets.HasTraits):
    """A View made of several views (key -> view) that `make()` returns on first build, shown one under
    the other. The `value` trait of each is gathered into `answers` (key -> value), which the page
    observes: the views never know the page."""

    answers = traitlets.Dict(help="the value of each view that has one, by key, as changed on the page")

    def __init__(self, keys: Sequence[str], make: Callable[[], dict[str, Any]]) -> None:
        super().__init__()
        self.keys = list(keys)
        self._make = make
        self.views: dict[str, Any] = {}
        self.widget = widgets.VBox()

    @property
    def built(self) -> bool:
        return bool(self.views)

    def build(self) -> None:
        if self.built:
            return
        self.views = self._make()
        for key, view in self.views.items():
            if isinstance(view, traitlets.HasTraits) and view.has_trait("value"):
                view.observe(lambda change, key=key: self._gather(key, change["new"]), "value")
        self.widget.children = [view.widget for view in self.views.values()]

    def _gather(self, key: str, value: Any) -> None:
        self.answers = {**self.answers, key: value}
