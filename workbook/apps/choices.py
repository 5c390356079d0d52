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
