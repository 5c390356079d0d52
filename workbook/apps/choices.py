"""A question answered by choosing one option: one radio group named by its question.

ipywidgets offers no such control: its RadioButtons are separate radios without a shared name (each
its own Tab stop, no arrow keys, no group name) and its ToggleButtons are plain buttons with no
pressed state. This one draws a `<fieldset>` whose `<legend>` is the question and whose options are
native radio buttons sharing one name, so the browser gives what every radio group has: one Tab
stop, arrow keys to move and choose, the chosen option announced as checked, and the question read
with it. Its look (options as buttons) lives in the shared app style.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import anywidget
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
  // The click carries the answers this page shows: ipywidgets holds back a control's changes while the
  // kernel is busy but sends a message at once, so a click alone could reach the kernel before them.
  button.addEventListener('click', async () => {
    const values = {};
    for (const id of model.get('_groups')) {
      try {
        const group = await model.widget_manager.get_model(id);
        values[id] = group.get('value');
      } catch (e) { /* a group gone from the page: the kernel keeps what it has */ }
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


def _is_option(value: Any, allowed: Sequence[Any]) -> bool:
    """One of the options, compared as JSON brings them (true is not 1)."""
    return any(value == option and isinstance(value, bool) == isinstance(option, bool) for option in allowed)


class SubmitButton(anywidget.AnyWidget):
    """The button that submits a set of choice groups, robust to the order messages arrive in.

    A click from the page carries the value each group shows there (by model id). Each value is checked
    against the options its group was built with, in the kernel; if all are good they become the groups'
    values and `on_submit` callbacks run with no problem, else they run with the problem and no group
    changes. `click()` from Python submits the values the kernel holds.
    """

    _esm = traitlets.Unicode(_SUBMIT_ESM).tag(sync=True)
    description = traitlets.Unicode("Submit").tag(sync=True)
    primary = traitlets.Bool(True).tag(sync=True)
    disabled = traitlets.Bool(False).tag(sync=True)
    classes = traitlets.List(traitlets.Unicode()).tag(sync=True)  # on the button itself
    _groups = traitlets.List(traitlets.Unicode()).tag(sync=True)

    def __init__(
        self, description: str, groups: Sequence[ChoiceGroup], classes: Sequence[str] = (), **kwargs: Any
    ) -> None:
        self.groups = tuple(groups)
        super().__init__(
            description=description,
            classes=list(classes),
            _groups=[group.model_id for group in self.groups],
            **kwargs,
        )
        self._callbacks: list[Any] = []
        self.on_msg(self._received)

    def on_submit(self, callback: Any) -> None:
        """`callback(problem)`: problem is None, or why the answers sent could not be taken."""
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
        chosen: dict[ChoiceGroup, Any] = {}
        for group in self.groups:
            if sent is None or group.model_id not in sent:
                continue
            value = sent[group.model_id]
            if value is not None and not _is_option(value, group._allowed):
                problem = f"an answer sent to “{group.question}” is not one of its options; nothing was saved"
                break
            chosen[group] = value
        if problem is None:
            for group, value in chosen.items():
                group.value = value
        for callback in self._callbacks:
            callback(problem)
