"""The short privacy page every app links: who sees what, for how long, how to export and delete.

It is a plain page, served by the server itself (no kernel, nothing from another host) at
:data:`PRIVACY_PATH` in both serving modes, from the Jinja template ``templates/privacy.html`` filled with
the settings in force (the retention, the anonymity threshold, who to ask)."""

from __future__ import annotations

from pathlib import Path

from workbook import config

PRIVACY_PATH = "workbook/privacy"  # below the server's base URL
# The pages are served at <base>/voila/render/<notebook>, so this relative link reaches the privacy page
# under any base URL (a hub's single-user prefix included).
PRIVACY_HREF = "../../" + PRIVACY_PATH
TEMPLATES = Path(__file__).with_name("templates")


def privacy_page() -> str:
    """The privacy page as a whole HTML document, every setting's value escaped by the template engine."""
    from workbook import templating
    from workbook.content import VISIBILITY_LABELS
    from workbook.personal_data import co_written_rules

    return templating.render(
        "privacy.html",
        TEMPLATES,
        retention_days=config.retention_days(),
        threshold=config.anonymity_threshold(),
        contact=config.privacy_contact(),
        levels=VISIBILITY_LABELS,
        co_written=co_written_rules(),
    )
