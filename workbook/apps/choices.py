"""A question answered by choosing one option: one radio group named by its question.

ipywidgets offers no such control: its RadioButtons are separate radios without a shared name (each
its own Tab stop, no arrow keys, no group name) and its ToggleButtons are plain buttons with no
pressed state. This one draws a `<fieldset>` whose `<legend>` is the question and whose options are
native radio buttons sharing one name, so the browser gives what every radio group has: one Tab
stop, arrow keys to move and choose, the chosen option announced as checked, and the question read
with it. Its look (options as buttons) lives in the shared app style.

`SubmitButton` is the button that acts on such answers, or on text boxes, dropdowns and date pickers:
its click carries the values the page shows, so it never acts on older ones.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from typing import Any

import anywidget
import ipywidgets as widgets
import traitlets

_ESM = """
function render({ model, el }) {
  const group = document.createElement('fieldset');
  group.className = 'wb-choice-group';
  const legend = document.createElement('legend');
  legend.className = 'wb-choice-question';
  const options = document.createElement('div');
  options.className = 'wb-choice-options';
  group.append(legend, options);
  el.appendChild(group);
  const name = 'wb-choice-' + Math.random().toString(36).slice(2);
  const same = (a, b) => a === b || (a !== null && b !== null && String(a) === String(b));

  function sync() {
    options.querySelectorAll('input').forEach((input, index) => {
      input.checked = same(model.get('_values')[index], model.get('value'));
      input.disabled = model.get('disabled');
      input.parentElement.classList.toggle('wb-choice-chosen', input.checked);
    });
  }
  function draw() {
    legend.textContent = model.get('question');
    options.textContent = '';
    const values = model.get('_values');
    model.get('_labels').forEach((text, index) => {
      const option = document.createElement('label');
      option.className = 'wb-choice-option';
      const input = document.createElement('input');
      input.type = 'radio';
      input.name = name;
      input.value = String(index);
      input.addEventListener('change', () => {
        if (input.checked) {
          model.set('value', values[index]);
          model.save_changes();
          sync();
        }
      });
      const words = document.createElement('span');
      words.textContent = text;
      option.append(input, words);
      options.appendChild(option);
    });
    sync();
  }
  model.on('change:question', draw);
  model.on('change:_labels', draw);
  model.on('change:value', sync);
  model.on('change:disabled', sync);
  draw();
}
export default { render };
"""


class ChoiceGroup(anywidget.AnyWidget):
    """One question, one answer: `options` are (label, value) pairs, `value` the chosen value or None.

    A value from the page that is not one of the options is refused (TraitError) and changes nothing.
    """

    _esm = traitlets.Unicode(_ESM).tag(sync=True)
    question = traitlets.Unicode("").tag(sync=True)
    _labels = traitlets.List(traitlets.Unicode()).tag(sync=True)
    _values = traitlets.List().tag(sync=True)
    value = traitlets.Any(None, allow_none=True).tag(sync=True)
    disabled = traitlets.Bool(False).tag(sync=True)

    def __init__(
        self, question: str, options: Sequence[tuple[str, Any]], value: Any = None, **kwargs: Any
    ) -> None:
        # The options a value is checked against are kept here, out of reach of the page: `_values` is
        # synced for drawing, so a crafted client could rewrite it, but that changes nothing allowed.
        self._allowed = tuple(option for _, option in options)
        super().__init__(
            question=question,
            _labels=[str(label) for label, _ in options],
            _values=list(self._allowed),
            **kwargs,
        )
        self.value = value

    @property
    def options(self) -> list[tuple[str, Any]]:
        return list(zip(self._labels, self._allowed, strict=True))

    @traitlets.validate("value")
    def _one_of_the_options(self, proposal: dict) -> Any:
        value = proposal["value"]
        if value is not None and value not in self._allowed:
            raise traitlets.TraitError(f"{value!r} is not one of the options of {self.question!r}")
        return value


_SUBMIT_ESM = """
function render({ model, el }) {
  const button = document.createElement('button');
  button.type = 'button';
  function draw() {
    button.textContent = model.get('description');
    button.className = ['jupyter-button', 'widget-button', 'wb-submit-button',
      model.get('primary') ? 'mod-primary' : '', ...model.get('classes')].filter(Boolean).join(' ');
    button.disabled = model.get('disabled');
  }
  // The click carries the values this page shows: ipywidgets holds back a control's changes while the
  // kernel is busy but sends a message at once, so a click alone could reach the kernel before them.
  // Each value goes as the control's own update would carry it (its serializer: a date as
  // {year, month, date}); a dropdown's is its index.
  button.addEventListener('click', async () => {
    const values = {};
    const synced = model.get('_synced');
    for (const id of model.get('_groups')) {
      try {
        const field = await model.widget_manager.get_model(id);
        const name = synced[id] || 'value';
        const serializer = (field.constructor.serializers || {})[name];
        const value = field.get(name);
        values[id] = serializer && serializer.serialize ? serializer.serialize(value, field) : value;
      } catch (e) { /* a field gone from the page: the kernel keeps what it has */ }
    }
    model.send({ event: 'submit', values });
  });
  model.on('change:description', draw);
  model.on('change:disabled', draw);
  model.on('change:classes', draw);
  draw();
  el.appendChild(button);
}
export default { render };
"""

MAX_CARRIED_TEXT = 100_000  # characters: what a click may carry for one text box (the forms' own limits
# are far below; this only bounds what a crafted message can make the kernel hold)
STALE_ECHO_S = 30.0  # how long a text box's held-back update, arriving after its click, counts as stale


def _is_option(value: Any, allowed: Sequence[Any]) -> bool:
    """One of the options, compared as JSON brings them (true is not 1)."""
    return any(value == option and isinstance(value, bool) == isinstance(option, bool) for option in allowed)


def _synced_name(field: widgets.Widget) -> str:
    """The attribute through which the page sends the field's value (a dropdown sends its index)."""
    return "index" if isinstance(field, widgets.Dropdown) else "value"


def _field_name(field: widgets.Widget) -> str:
    return str(getattr(field, "question", "") or getattr(field, "description", "") or "a field")


def _carried(field: widgets.Widget, sent: Any) -> Any:
    """The kernel value for what the page sent for `field`, checked as the control's own update would be
    (its deserializer and its trait's validation) and more strictly; ValueError naming the field."""
    name = _field_name(field)
    if isinstance(field, ChoiceGroup):
        if sent is not None and not _is_option(sent, field._allowed):
            raise ValueError(f"an answer sent to “{name}” is not one of its options; nothing was saved")
        return sent
    if isinstance(field, widgets.Dropdown):
        if sent is not None and (
            isinstance(sent, bool) or not isinstance(sent, int) or not 0 <= sent < len(field.options)
        ):
            raise ValueError(f"the choice sent for “{name}” is not one of its options; nothing was saved")
        return sent
    if isinstance(field, widgets.Text | widgets.Textarea):
        if not isinstance(sent, str):
            raise ValueError(f"what was sent for “{name}” is not text; nothing was saved")
        if len(sent) > MAX_CARRIED_TEXT:
            raise ValueError(f"the text sent for “{name}” is far too long; nothing was saved")
        return sent
    if isinstance(field, widgets.DatePicker):
        try:
            value = field.trait_metadata("value", "from_json")(sent, field)
            return field.traits()["value"]._validate(field, value)  # its type and its own checks
        except Exception:  # a crafted value: any shape, any error
            raise ValueError(f"the date sent for “{name}” is not a date; nothing was saved") from None
    raise TypeError(f"a submit button cannot carry the value of a {type(field).__name__}")


class SubmitButton(anywidget.AnyWidget):
    """A button whose click carries the values its page shows for the fields it acts on, robust to the
    order messages arrive in.

    `fields` are choice groups, text boxes (Text, Textarea), dropdowns and date pickers. A click from the
    page carries the value each shows there (by model id). Each is checked in the kernel (an option of its
    group or dropdown, text of a bounded length, a date); if all are good they become the fields' values
    and `on_submit` callbacks run with no problem, else they run with the problem and no field changes.
    `click()` from Python submits the values the kernel holds.

    A text box's own update, held back by the browser, can still arrive after the click: if a callback
    changed the box (emptied it once its text was added), that late copy of the carried text is undone.
    """

    _esm = traitlets.Unicode(_SUBMIT_ESM).tag(sync=True)
    description = traitlets.Unicode("Submit").tag(sync=True)
    primary = traitlets.Bool(True).tag(sync=True)
    disabled = traitlets.Bool(False).tag(sync=True)
    classes = traitlets.List(traitlets.Unicode()).tag(sync=True)  # on the button itself
    _groups = traitlets.List(traitlets.Unicode()).tag(sync=True)  # the fields' model ids
    _synced = traitlets.Dict().tag(sync=True)  # model id -> the attribute sent, when not "value"

    def __init__(
        self,
        description: str,
        fields: Sequence[widgets.Widget],
        classes: Sequence[str] = (),
        **kwargs: Any,
    ) -> None:
        self.fields = tuple(fields)
        for field in self.fields:
            if not isinstance(
                field, ChoiceGroup | widgets.Dropdown | widgets.Text | widgets.Textarea | widgets.DatePicker
            ):
                raise TypeError(f"a submit button cannot carry the value of a {type(field).__name__}")
        super().__init__(
            description=description,
            classes=list(classes),
            _groups=[field.model_id for field in self.fields],
            _synced={f.model_id: _synced_name(f) for f in self.fields if _synced_name(f) != "value"},
            **kwargs,
        )
        self._callbacks: list[Any] = []
        self._stale: dict[widgets.Widget, tuple[Any, Any, float]] = {}  # field -> (carried, kept, when)
        for field in self.fields:
            if isinstance(field, widgets.Text | widgets.Textarea):
                field.observe(self._late_update, names="value")
        self.on_msg(self._received)

    def on_submit(self, callback: Any) -> None:
        """`callback(problem)`: problem is None, or why the values sent could not be taken."""
        self._callbacks.append(callback)

    def _received(self, _widget: Any, content: Any, _buffers: Any) -> None:
        if not isinstance(content, dict) or content.get("event") != "submit":
            return
        sent = content.get("values")
        self.click(sent if isinstance(sent, dict) else {})

    def click(self, sent: dict[str, Any] | None = None) -> None:
        """Submit: with `sent` (model id -> value, as the page sends them) or the kernel's values."""
        if self.disabled:
            return
        problem = None
        chosen: dict[widgets.Widget, Any] = {}
        for field in self.fields:
            if sent is None or field.model_id not in sent:
                continue
            try:
                chosen[field] = _carried(field, sent[field.model_id])
            except ValueError as exc:
                problem = str(exc)
                break
        if problem is None:
            for field, value in chosen.items():
                setattr(field, _synced_name(field), value)
        for callback in self._callbacks:
            callback(problem)
        if problem is None:
            now = time.monotonic()
            for field, value in chosen.items():
                if isinstance(field, widgets.Text | widgets.Textarea) and field.value != value:
                    self._stale[field] = (value, field.value, now)

    def _late_update(self, change: dict) -> None:
        """Undo the browser's held-back copy of text a click already carried and a callback replaced."""
        field = change["owner"]
        stale = self._stale.pop(field, None)
        if stale is None:
            return
        carried, kept, when = stale
        if change["new"] == carried and time.monotonic() - when < STALE_ECHO_S:
            field.value = kept
