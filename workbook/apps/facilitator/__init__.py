"""The facilitator's app: run a cohort without a terminal. One module per tab:

- ``cohort_setup``: the cohort's details and people (roster import, add, edit, remove, codes);
- ``handouts``: personal links as a mail-merge CSV and printable cards with QR codes;
- ``waves``: open and close the comfort check's waves, with who did it and when;
- ``glance``: the cohort at a glance, live (completion only, never answers), with reminder lists;
- ``shared_work``: what participants shared with the facilitator, live, and feedback on each item;
- ``home``: the page that puts them together for one of the facilitator's cohorts at a time;
- ``templates``: the HTML (Jinja, autoescaped); ``shared``: the confirmation step, the clock of live
  tabs and the home's interface.

The rules live in :mod:`workbook.facilitator`; the command line calls the same functions.
"""

from workbook.apps.facilitator.home import FacilitatorHome, facilitator_app

__all__ = ["FacilitatorHome", "facilitator_app"]
