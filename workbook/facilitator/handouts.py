"""Handing out personal links: a new access code for each person of a cohort who has no live one (or for
everyone, on request, which revokes their old codes and so signs their open pages out), given out as a
mail-merge CSV (name, email, link) and a printable PDF of cut-out cards with a QR code of each link.

A facilitator hands out only first links: a person who has signed in before gets a new link from the
operator alone (`workbook participants reissue`), since a link the facilitator has seen would open what
that person wrote for their eyes only. Such people are left as they are, and counted.

The codes exist in plain only in what this module returns, at the moment they are made; the store keeps
their hashes.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Collection
from dataclasses import dataclass

from sqlalchemy import insert, update

from workbook import identity
from workbook.facilitator.people import Acting, Member, _members, check_acting
from workbook.models import AccessCode
from workbook.pdf import FONT, add_fonts, font_dir
from workbook.spreadsheet import spreadsheet_safe
from workbook.store import Store, utcnow
from workbook.text import counted

CARD_COLUMNS, CARD_ROWS = 2, 4  # eight cards per A4 page, cut along the dashed lines
PAGE_W, PAGE_H = 210.0, 297.0
CARD_W, CARD_H = PAGE_W / CARD_COLUMNS, PAGE_H / CARD_ROWS
QR_MM = 42.0
MONO = "DejaVuMono"  # the link's code, so that l, 1 and I or O and 0 can be told apart


@dataclass(frozen=True)
class Handout:
    pid: str
    name: str
    email: str | None
    link: str


@dataclass(frozen=True)
class HandoutBatch:
    cohort: str
    handouts: tuple[Handout, ...]
    revoked: int  # people whose old code was revoked (their open pages are signed out)
    signed_in_kept: int = 0  # people a facilitator asked for who had signed in before: left as they were

    def describe(self) -> str:
        kept = (
            f" {self.signed_in_kept} {'person has' if self.signed_in_kept == 1 else 'people have'} signed in "
            "before: a new link goes to them alone, never through this page, so their link was left as it "
            "is (the programme's operator can send them a new one)."
            if self.signed_in_kept
            else ""
        )
        if not self.handouts:
            if self.signed_in_kept:
                return f"No new links for {self.cohort}.{kept}"
            return f"Everyone in {self.cohort} already has a live link: nothing to hand out."
        text = f"New personal links for {counted(len(self.handouts), 'person', 'people')} of {self.cohort}."
        if self.revoked:
            text += (
                f" {self.revoked} of them had a live link: it no longer works, and any page they had open "
                "is signed out."
            )
        return text + kept


def hand_out(
    store: Store,
    cohort: str,
    *,
    by: Acting,
    reissue: bool = False,
    pids: Collection[str] | None = None,
) -> HandoutBatch:
    """New codes for the cohort's people without a live code, or for all of them with `reissue`.

    `by` is who asks: a facilitator of the cohort gets links only for people who never signed in (the
    others are counted, not changed); the operator for anyone. `pids` narrows it to those people (ids of
    others are ignored: only the cohort's people are reached). One write transaction: every code or none.
    """
    now = utcnow()
    with store.write() as session:
        cohort_id = store.cohort_id(session, cohort, create=False)
        check_acting(session, by, cohort_id)
        people: list[Member] = _members(session, cohort_id)
        if pids is not None:
            wanted = set(pids)
            people = [m for m in people if m.pid in wanted]
        if not reissue:
            people = [m for m in people if not m.live_code]
        kept = 0
        if not by.is_operator:
            kept = sum(m.signed_in for m in people)
            people = [m for m in people if not m.signed_in]
        revoked = [m.id for m in people if m.live_code]
        for start in range(0, len(revoked), 900):
            session.execute(
                update(AccessCode)
                .where(
                    AccessCode.participant_id.in_(revoked[start : start + 900]),
                    AccessCode.revoked_at.is_(None),
                )
                .values(revoked_at=now)
            )
        codes = [identity.new_code() for _ in people]
        if people:
            session.execute(
                insert(AccessCode),
                [
                    {"participant_id": m.id, "code_hash": identity.hash_code(code), "created_at": now}
                    for m, code in zip(people, codes, strict=True)
                ],
            )
    handouts = tuple(
        Handout(m.pid, m.name, m.email, identity.personal_link(code, identity.home_app_for(m.roles)))
        for m, code in zip(people, codes, strict=True)
    )
    return HandoutBatch(cohort, handouts, len(revoked), kept)


def links_csv(handouts: Collection[Handout]) -> str:
    """name,email,link for a mail merge; text a spreadsheet would run is kept as text."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["name", "email", "link"])
    for h in handouts:
        writer.writerow([spreadsheet_safe(h.name), spreadsheet_safe(h.email or ""), h.link])
    return out.getvalue()


def qr_png(link: str) -> bytes:
    """The link as a QR code (error correction M, enough for a creased card), as PNG."""
    import segno

    buffer = io.BytesIO()
    segno.make(link, error="m", micro=False).save(buffer, kind="png", scale=6, border=4)
    return buffer.getvalue()


def cards_pdf(batch: HandoutBatch, *, title: str = "Career conversations workbook") -> bytes:
    """One card per person: their name, what the link is for, a QR code of it and the link in full.

    Names are drawn as text (a name that looks like a script prints as those characters)."""
    from fpdf import FPDF

    pdf = FPDF(orientation="portrait", unit="mm", format="A4")
    add_fonts(pdf, "".join(handout.name for handout in batch.handouts))
    pdf.add_font(MONO, "", str(font_dir() / "DejaVuSansMono.ttf"))
    pdf.add_font(MONO, "B", str(font_dir() / "DejaVuSansMono-Bold.ttf"))
    pdf.set_auto_page_break(False)
    pdf.set_title(f"Personal links: {batch.cohort}")
    per_page = CARD_COLUMNS * CARD_ROWS
    for index, handout in enumerate(batch.handouts):
        if index % per_page == 0:
            pdf.add_page()
            _cut_lines(pdf)
        slot = index % per_page
        x = (slot % CARD_COLUMNS) * CARD_W
        y = (slot // CARD_COLUMNS) * CARD_H
        _card(pdf, handout, x, y, batch.cohort, title)
    if not batch.handouts:
        pdf.add_page()
        pdf.set_font(FONT, "", 12)
        pdf.set_xy(15, 20)
        pdf.multi_cell(180, 7, f"Everyone in {batch.cohort} already has a live link: no cards to print.")
    return bytes(pdf.output())


def _cut_lines(pdf) -> None:
    pdf.set_draw_color(150)
    pdf.set_dash_pattern(dash=2, gap=2)
    for column in range(1, CARD_COLUMNS):
        pdf.line(column * CARD_W, 0, column * CARD_W, PAGE_H)
    for row in range(1, CARD_ROWS):
        pdf.line(0, row * CARD_H, PAGE_W, row * CARD_H)
    pdf.set_dash_pattern()
    pdf.set_draw_color(0)


def _card(pdf, handout: Handout, x: float, y: float, cohort: str, title: str) -> None:
    """One card. Text is left-aligned (justified text opens wide gaps in a narrow column); the link is
    printed as its address and, on a line of its own in a fixed-width font large enough to copy by hand,
    the code, so that it never breaks in the middle of the code."""
    pad = 6.0
    text_w = CARD_W - QR_MM - 3 * pad
    pdf.set_text_color(0)
    pdf.set_font(FONT, "B", 12)
    pdf.set_xy(x + pad, y + pad)
    pdf.multi_cell(text_w, 5.5, handout.name, align="L", max_line_height=5.5, new_x="LEFT", new_y="NEXT")
    pdf.set_font(FONT, "", 8.5)
    pdf.set_text_color(60)
    pdf.set_x(x + pad)
    pdf.multi_cell(text_w, 4, f"{title}\nCohort: {cohort}", align="L", new_x="LEFT", new_y="NEXT")
    pdf.set_x(x + pad)
    pdf.multi_cell(
        text_w,
        4,
        "Scan the code or type the link. It is yours alone: do not share it.",
        align="L",
        new_x="LEFT",
    )
    pdf.image(io.BytesIO(qr_png(handout.link)), x=x + CARD_W - QR_MM - pad, y=y + pad, w=QR_MM, h=QR_MM)
    address, _, code = handout.link.partition("?")
    pdf.set_text_color(0)
    pdf.set_font(MONO, "", 7)
    pdf.set_xy(x + pad, y + CARD_H - pad - 13)
    pdf.multi_cell(CARD_W - 2 * pad, 3.4, address, align="L", new_x="LEFT", new_y="NEXT")
    pdf.set_font(MONO, "B", 9)
    pdf.multi_cell(CARD_W - 2 * pad, 4.4, f"?{code}" if code else "", align="L", new_x="LEFT", new_y="NEXT")
