"""Handing out links: who gets a code, what reissue does, and the cards PDF read back with a QR reader."""

from __future__ import annotations

import csv
import io

import pypdf
import pytest
import zxingcpp

from workbook import identity
from workbook.cli import main
from workbook.facilitator.handouts import cards_pdf, hand_out, links_csv
from workbook.facilitator.people import OPERATOR, add_person, issue_code, members, revoke_code
from workbook.facilitator.roster import import_roster

ROSTER = (
    "name,email,role,manager_email\n"
    "Mira Manager,mira@example.org,manager,\n"
    "Tom <script>alert(1)</script>,tom@example.org,team_member,mira@example.org\n"
    "Fred Facil,fred@example.org,facilitator,\n"
)


@pytest.fixture
def cohort(store):
    import_roster(store, ROSTER.encode(), "Spring", name="roster.csv", by=OPERATOR)
    return "Spring"


def qr_texts(pdf: bytes) -> list[str]:
    """Every QR code in the PDF, decoded from its images."""
    found = []
    for page in pypdf.PdfReader(io.BytesIO(pdf)).pages:
        for image in page.images:
            found += [code.text for code in zxingcpp.read_barcodes(image.image)]
    return found


def test_links_go_to_people_without_a_live_code_and_open_their_app(store, cohort):
    batch = hand_out(store, cohort, by=OPERATOR)
    assert len(batch.handouts) == 3 and batch.revoked == 0
    apps = {h.name: h.link.split("/render/")[1].split(".ipynb")[0] for h in batch.handouts}
    assert apps == {
        "Mira Manager": "manager",
        "Tom <script>alert(1)</script>": "participant",
        "Fred Facil": "facilitator",
    }
    for handout in batch.handouts:
        code = handout.link.split("code=")[1]
        assert identity.authenticate(store, code).pid == handout.pid
    assert hand_out(store, cohort, by=OPERATOR).handouts == ()  # everyone has a live code now
    assert "already has a live link" in hand_out(store, cohort, by=OPERATOR).describe()


def test_only_people_without_a_live_code_get_one(store, cohort):
    mira = next(m for m in members(store, cohort) if m.name == "Mira Manager")
    issue_code(store, cohort, mira.pid, by=OPERATOR)
    batch = hand_out(store, cohort, by=OPERATOR)
    assert {h.name for h in batch.handouts} == {"Tom <script>alert(1)</script>", "Fred Facil"}


def test_reissue_revokes_every_old_code_and_says_so(store, cohort):
    first = {h.pid: h.link.split("code=")[1] for h in hand_out(store, cohort, by=OPERATOR).handouts}
    again = hand_out(store, cohort, reissue=True, by=OPERATOR)
    assert again.revoked == 3 and "signed out" in again.describe()
    for code in first.values():
        with pytest.raises(identity.AccessDenied):
            identity.authenticate(store, code)
    new = {h.pid: h.link.split("code=")[1] for h in again.handouts}
    assert all(identity.authenticate(store, code).pid == pid for pid, code in new.items())


def test_a_handout_reaches_only_the_cohorts_people(store, cohort):
    outsider = identity.add_participant(store, "Outsider", cohort="Other")
    identity.revoke(store, outsider.person.pid)
    batch = hand_out(store, cohort, reissue=True, pids=[outsider.person.pid], by=OPERATOR)
    assert batch.handouts == ()
    with pytest.raises(identity.AccessDenied):
        identity.authenticate(store, outsider.code)


def test_the_cards_carry_each_name_as_text_and_a_qr_code_of_each_link(store, cohort):
    batch = hand_out(store, cohort, by=OPERATOR)
    pdf = cards_pdf(batch)
    assert sorted(qr_texts(pdf)) == sorted(h.link for h in batch.handouts)
    text = "".join(page.extract_text() for page in pypdf.PdfReader(io.BytesIO(pdf)).pages)
    assert "<script>alert(1)<" in text and "Mira Manager" in text
    # each code is printed whole on a line of its own (never broken in the middle), after its address
    lines = text.splitlines()
    for handout in batch.handouts:
        address, _, code = handout.link.partition("?")
        assert f"?{code}" in lines and address in lines


def test_many_cards_fill_several_pages(store):
    lines = "\n".join(f"P{i},p{i}@example.org,manager," for i in range(11))
    import_roster(store, f"name,email,role,manager_email\n{lines}\n".encode(), "Big", by=OPERATOR)
    pdf = cards_pdf(hand_out(store, "Big", by=OPERATOR))
    assert len(pypdf.PdfReader(io.BytesIO(pdf)).pages) == 2
    assert len(qr_texts(pdf)) == 11


def test_the_mail_merge_csv_has_name_email_link_and_keeps_formulas_as_text(store, cohort):
    add_person(store, cohort, "Ann", "ann@example.org", ["manager"], by=OPERATOR)
    batch = hand_out(store, cohort, by=OPERATOR)
    rows = list(csv.DictReader(io.StringIO(links_csv(batch.handouts))))
    assert [set(r) for r in rows][0] == {"name", "email", "link"}
    assert {r["email"] for r in rows} == {
        "mira@example.org",
        "tom@example.org",
        "fred@example.org",
        "ann@example.org",
    }
    from workbook.facilitator.handouts import Handout

    risky = links_csv([Handout("p", "=cmd()", "x@example.org", "http://l")])
    assert "'=cmd()" in risky


def test_handouts_on_the_command_line(store, cohort, tmp_path, capsys, monkeypatch):
    monkeypatch.setenv("WORKBOOK_DATABASE_URL", store.url)
    out, links = tmp_path / "cards.pdf", tmp_path / "links.csv"
    assert main(["handouts", "--cohort", cohort, "--out", str(out), "--csv", str(links)]) == 0
    said = capsys.readouterr().out
    assert "New personal links for 3 people" in said and "Wrote 3 cards" in said
    rows = list(csv.DictReader(links.open(encoding="utf-8")))
    assert sorted(qr_texts(out.read_bytes())) == sorted(r["link"] for r in rows)
    assert main(["handouts", "--cohort", cohort, "--out", str(out)]) == 0
    assert "already has a live link" in capsys.readouterr().out
    assert main(["handouts", "--cohort", cohort, "--out", str(out), "--reissue"]) == 0
    assert "signed out" in capsys.readouterr().out
    for row in rows:
        with pytest.raises(identity.AccessDenied):
            identity.authenticate(store, row["link"].split("code=")[1])
    assert main(["handouts", "--cohort", cohort, "--out", str(tmp_path / "cards.txt")]) == 2


def test_revoking_one_code(store, cohort):
    batch = hand_out(store, cohort, by=OPERATOR)
    tom = next(h for h in batch.handouts if h.name.startswith("Tom"))
    assert revoke_code(store, cohort, tom.pid, by=OPERATOR) == 1
    with pytest.raises(identity.AccessDenied):
        identity.authenticate(store, tom.link.split("code=")[1])


def test_signing_in_once_marks_a_person_signed_in_for_the_board(store, cohort):
    batch = hand_out(store, cohort, by=OPERATOR)
    mira = next(h for h in batch.handouts if h.name == "Mira Manager")
    assert not any(m.signed_in for m in members(store, cohort))
    identity.authenticate(store, mira.link.split("code=")[1])
    identity.authenticate(store, mira.link.split("code=")[1])  # a second sign-in changes nothing
    assert {m.name for m in members(store, cohort) if m.signed_in} == {"Mira Manager"}


def test_counts_are_said_in_the_right_number():
    from workbook.facilitator.handouts import Handout, HandoutBatch

    one = HandoutBatch("North", (Handout("p-1", "Ana", None, "http://x/?code=y"),), 0, 1)
    said = one.describe()
    assert "New personal links for 1 person of North." in said and "1 person has signed in" in said
    assert "people" not in said.split("signed in")[0]
