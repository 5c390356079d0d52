"""No secret stays in a page's address once it has signed in.

A tiny widget on every page that signed in: its browser side takes the secret parameters (``code``,
``key``, ``display``) out of the address at once (``history.replaceState``: nothing is reloaded, nothing
is asked of another host), then, when the sign-in was a new one, asks this page's own server to carry it
as the visit's signed cookie (``POST workbook/session``, see ``workbook.server.sessions``), so that a
reload and the links between apps open without the code. The widget holds no secret: only the names
of the parameters to drop.
"""

from __future__ import annotations

import anywidget
import traitlets

SECRET_PARAMETERS = ("code", "key", "display")


class SignedInAddress(anywidget.AnyWidget):
    """Drops the secret parameters from the address; with `carry`, has the server set the visit's cookie."""

    _esm = """
    function drop(names) {
      const url = new URL(window.location.href);
      let changed = false;
      for (const name of names) {
        if (url.searchParams.has(name)) { url.searchParams.delete(name); changed = true; }
      }
      if (changed) {
        const query = url.searchParams.toString();
        const kept = url.pathname + (query ? "?" + query : "") + url.hash;
        window.history.replaceState(window.history.state, "", kept);
      }
    }
    async function carry() {
      const base = window.location.pathname.replace(/voila\\/render\\/.*$/, "");
      const found = document.cookie.match(/(?:^|;\\s*)_xsrf=([^;]*)/);
      const headers = found ? { "X-XSRFToken": decodeURIComponent(found[1]) } : {};
      for (let attempt = 1; attempt <= 5; attempt++) {
        try {
          const answer = await fetch(base + "workbook/session", {
            method: "POST", credentials: "same-origin", headers,
          });
          if (answer.ok) return true;
        } catch (e) { /* try again */ }
        await new Promise((done) => setTimeout(done, 300 * attempt));
      }
      return false;
    }
    async function render({ model, el }) {
      el.hidden = true;
      drop(model.get("drop"));
      const carried = model.get("carry") ? await carry() : true;
      document.body.dataset.wbSession = carried ? "carried" : "not-carried";
    }
    export default { render };
    """
    drop = traitlets.List(traitlets.Unicode(), default_value=list(SECRET_PARAMETERS)).tag(sync=True)
    carry = traitlets.Bool(False).tag(sync=True)

    def __init__(self, **kwargs: object) -> None:
        super().__init__(**kwargs)
        self.add_class("wb-signed-in-address")
