"""Every person's data is theirs: the registry classifies every table; the export holds everything a person
wrote and nothing of anyone else; deletion removes every version of theirs and nothing of anyone else, is
recorded without content and cannot be aimed at someone else; the retention purge removes what is older
than the cut-off (a dry run changes nothing); the privacy page states the settings, escaped."""

from __future__ import annotations

import io
import json
from datetime import UTC, date, datetime, timedelta

import pypdf
import pytest
from sqlalchemy import func, select, update
from sqlalchemy.engine import make_url
from widget_helpers import download_links, find, open_tab

from workbook import cli, content, identity, personal_data
from workbook.apps.manager.home import ManagerPage
from workbook.apps.participant import PreparationPage
from workbook.config import ConfigError
from workbook.data_rights import (
    BY_THEMSELVES,
    collect,
    count_person_data,
    delete_person_data,
    deletion_records,
    personal_tables,
    purge,
)
from workbook.manager.behaviour import edit_conversation, log_conversation
from workbook.models import (
    AccessCode,
    Base,
    ConversationLog,
    ConversationLogVersion,
    DataDeletion,
    FacilitatorFeedback,
    FeedbackSeen,
    GoalCheckIn,
    OneOnOne,
    OneOnOneItem,
    OneOnOneNote,
    OneOnOnePlan,
    Participant,
    RoleGrant,
    Score,
)
from workbook.personal_data import REGISTRY, NoContent, Versions, Written, table
from workbook.preparation import SCOPE
from workbook.privacy import privacy_page
from workbook.store import StoreError, utcnow

PREP = content.preparation()
COHORT = "Data cohort"
FIELD = "aspirations.in_two_years"


# -- the registry -----------------------------------------------------------------------------------------
def test_every_table_of_the_store_is_classified():
    assert personal_data.unclassified() == [], (
        "classify each new table in workbook/personal_data.REGISTRY "
        "(one line: Written, Versions or NoContent)"
    )
    assert set(REGISTRY) == set(Base.metadata.tables)


def test_each_classification_names_real_columns_tied_to_people():
    for name, entry in REGISTRY.items():
        columns = table(name).c
        if isinstance(entry, Written):
            assert entry.when in columns, name
            for owner in entry.owners:
                targets = {fk.column.table.name for fk in columns[owner].foreign_keys}
                assert targets == {"participants"}, f"{name}.{owner} must point at a person"
            assert all(key in columns for key in (*entry.key, *entry.json)), name
        elif isinstance(entry, Versions):
            assert isinstance(REGISTRY[entry.parent], Written), name
            assert {fk.column.table.name for fk in columns[entry.link].foreign_keys} == {entry.parent}
            assert entry.when in columns, name
        else:
            assert isinstance(entry, NoContent) and entry.why.strip(), name


# -- seed data in every table that holds personal data ------------------------------------------------------
def seed(store, person, facilitator, other, marker: str) -> None:
    """Rows of `person` in every personal table, each carrying `marker` where text is stored."""
    store.save_answer(person.id, SCOPE, FIELD, f"{marker} answer first")
    store.save_answer(person.id, SCOPE, FIELD, f"{marker} answer second")
    store.save_answer(person.id, "planner", "plan", {"who": f"{marker} planned"})
    store.set_visibility(person.id, SCOPE, "aspirations", "facilitator")
    entry = log_conversation(store, person, date(2026, 1, 5), f"{marker} talk", True, False)
    edit_conversation(store, person, entry.id, date(2026, 1, 6), f"{marker} talk edited", True, True)
    with store.write() as session:
        session.add(
            Score(participant_id=person.id, wave="pre", item="item_x", score=3.0, answered_at=utcnow())
        )
        cohort_id = store.cohort_id(session, COHORT, create=True)
        to_them = FacilitatorFeedback(
            owner_id=person.id,
            scope=SCOPE,
            item="aspirations",
            cohort_id=cohort_id,
            author_id=facilitator.id,
            text=f"{marker} feedback to them",
            written_at=utcnow(),
        )
        by_them = FacilitatorFeedback(
            owner_id=other.id,
            scope=SCOPE,
            item="aspirations",
            cohort_id=cohort_id,
            author_id=person.id,
            text=f"{marker} feedback they wrote",
            written_at=utcnow(),
        )
        session.add_all([to_them, by_them])
        session.flush()
        session.add(FeedbackSeen(feedback_id=to_them.id, seen_at=utcnow()))
        talk = OneOnOne(member_id=person.id, manager_id=other.id, opened_at=utcnow())
        session.add(talk)
        session.flush()
        session.add_all(
            [
                OneOnOneNote(
                    one_on_one_id=talk.id,
                    kind="shared",
                    author_id=person.id,
                    text=f"{marker} shared note",
                    written_at=utcnow(),
                ),
                OneOnOneItem(
                    member_id=person.id,
                    one_on_one_id=talk.id,
                    item="i-1",
                    kind="action",
                    text=f"{marker} action",
                    owner="member",
                    status="open",
                    author_id=person.id,
                    written_at=utcnow(),
                ),
                OneOnOnePlan(
                    one_on_one_id=talk.id, planned_on=date(2026, 2, 1), by_id=person.id, at=utcnow()
                ),
            ]
        )
        session.add(
            GoalCheckIn(
                participant_id=person.id,
                goal_id="g-1",
                status="on_track",
                progress=40,
                note=f"{marker} check-in note",
                recorded_at=utcnow(),
            )
        )


@pytest.fixture
def people(store):
    fac = identity.add_participant(store, "Fay Facil", roles=[f"facilitator:{COHORT}"], allow_privileged=True)
    ana = identity.add_participant(store, "Ana <b>Data</b>", cohort=COHORT)
    bob = identity.add_participant(store, "Bob Other", cohort=COHORT)
    seed(store, ana.person, fac.person, bob.person, "ANA")
    seed(store, bob.person, fac.person, fac.person, "BOB")
    return {"ana": ana, "bob": bob, "fac": fac}


def row_counts(store) -> dict[str, int]:
    with store.read() as session:
        return {name: session.scalar(select(func.count()).select_from(table(name))) for name in REGISTRY}


def test_the_seed_reaches_every_personal_table(store, people):
    counts = count_person_data(store, people["ana"].person.id)
    assert set(counts) == set(personal_tables())
    assert all(counts[name] > 0 for name in counts), f"seed() must write to every personal table: {counts}"


# -- export -----------------------------------------------------------------------------------------------
def test_the_export_holds_everything_the_person_wrote_and_nothing_of_anyone_else(store, people):
    from workbook import data_export

    data = collect(store, people["ana"].person)
    exported = data.as_json()
    text = json.dumps(exported, ensure_ascii=False)
    for expected in (
        "ANA answer first",  # every stored version, not only the latest
        "ANA answer second",
        "ANA planned",
        "ANA talk",
        "ANA talk edited",
        "ANA feedback to them",  # written to them
        "ANA feedback they wrote",
    ):
        assert expected in text, expected
    assert "BOB" not in text and "Bob Other" not in text
    assert exported["person"]["name"] == "Ana <b>Data</b>"
    assert exported["shared"] == [
        {
            "scope": SCOPE,
            "section": "aspirations",
            "level": "facilitator",
            "who": "You and your programme facilitator",
            "since": exported["shared"][0]["since"],
        }
    ]
    for name in personal_tables():
        assert exported["tables"][name]["rows"], f"{name} is missing from the export"
    first = exported["tables"]["answers"]["rows"][0]
    assert first["value"] == "ANA answer first" and first["participant"] == people["ana"].person.pid
    assert datetime.fromisoformat(first["saved_at"]).tzinfo is not None
    feedback = {r["text"]: r for r in exported["tables"]["facilitator_feedback"]["rows"]}
    assert feedback["ANA feedback to them"]["author"] == people["fac"].person.pid
    # the same, as files: the JSON parses back, the PDF holds the text to read
    assert json.loads(data_export.render_json(data)) == exported
    pdf = pypdf.PdfReader(io.BytesIO(data_export.render_pdf(data)))
    words = " ".join(" ".join(page.extract_text() for page in pdf.pages).split())
    for expected in ("ANA answer first", "ANA answer second", "ANA talk edited", "ANA feedback to them"):
        assert expected in words, expected
    assert "BOB" not in words
    assert data_export.filename(data, "pdf").startswith("my-workbook-data-ana-b-data-b-")


def test_the_pdf_names_every_goal_and_the_goal_of_each_check_in_with_full_dates(store):
    """Today the PDF printed "scope: prep, key: goals.goals" and "status: on_track" without the goal."""
    from workbook import data_export
    from workbook.data_rights import collect
    from workbook.team.checkins import record_checkin

    manager = identity.add_participant(store, "Max", cohort="N").person
    tia = identity.add_participant(store, "Tia Łada", manager_pid=manager.pid).person
    goals = [
        {"id": "g-lead", "goal": "Lead the onboarding", "target_date": "2027-06-30"},
        {"id": "g-talk", "goal": "Speak at a meetup", "target_date": "2027-11-05"},
    ]
    store.save_answer(tia.id, SCOPE, "goals.goals", goals)
    store.save_answer(tia.id, SCOPE, "aspirations.in_two_years", "Lead a team")
    record_checkin(store, tia, "g-talk", "not_started", 10, "Waiting for the call")
    data = collect(store, tia)
    pdf = pypdf.PdfReader(io.BytesIO(data_export.render_pdf(data)))
    words = " ".join(" ".join(page.extract_text() for page in pdf.pages).split())
    for expected in (
        "Goal 1: Lead the onboarding; Target date: Wednesday 30 June 2027",
        "Goal 2: Speak at a meetup; Target date: Friday 5 November 2027",
        "Goal 2: Speak at a meetup · Not started · progress 10%",
        "Preparation · Where you want to go:",
    ):
        assert expected in words, expected
    for raw in ("key: goals.goals", "status: not_started", "target_date", "g-talk"):
        assert raw not in words, raw
    assert data_export.filename(data, "pdf").startswith("my-workbook-data-tia-lada-")


def test_the_command_line_writes_both_files(store, people, tmp_path, capsys, monkeypatch):
    monkeypatch.setenv("WORKBOOK_DATABASE_URL", store.url)
    out = tmp_path / "out"
    out.mkdir()
    assert cli.main(["participants", "export", people["ana"].person.pid, "--out", str(out)]) == 0
    written = sorted(p.suffix for p in out.iterdir())
    assert written == [".json", ".pdf"]
    [json_file] = out.glob("*.json")
    assert "ANA answer second" in json_file.read_text()
    assert cli.main(["participants", "export", people["ana"].person.pid, "--out", str(tmp_path / "no")]) == 2
    assert "is not a folder" in capsys.readouterr().err


# -- deletion ---------------------------------------------------------------------------------------------
def test_deletion_removes_every_version_of_theirs_and_nothing_of_anyone_else(store, people):
    ana, bob = people["ana"].person, people["bob"].person
    before = row_counts(store)
    bob_before = count_person_data(store, bob.id)
    ana_rows = count_person_data(store, ana.id)
    removed = delete_person_data(store, ana, by=BY_THEMSELVES)
    assert removed.counts == ana_rows and removed.rows == sum(ana_rows.values())
    assert all(count == 0 for count in count_person_data(store, ana.id).values())
    after = row_counts(store)
    for name in personal_tables():
        assert after[name] == before[name] - ana_rows[name], name
    # Bob keeps everything, the feedback Ana wrote on his item too: it is about him (the registry's rule)
    assert count_person_data(store, bob.id) == bob_before
    assert "BOB answer second" in json.dumps(collect(store, bob).as_json())
    assert "ANA feedback they wrote" in json.dumps(collect(store, bob).as_json())
    # account, codes and roles stay: she can still sign in, to an empty workbook
    assert identity.authenticate(store, people["ana"].code).pid == ana.pid
    for model in (Participant, AccessCode, RoleGrant):
        assert after[model.__tablename__] == before[model.__tablename__]
    assert store.current_answers(ana.id, SCOPE) == {}


def test_the_deletion_is_recorded_without_its_content(store, people):
    ana = people["ana"].person
    removed = delete_person_data(store, ana, by=BY_THEMSELVES)
    [record] = deletion_records(store)
    assert record["person"] == ana.pid and record["by"] == BY_THEMSELVES and record["reason"] == "deletion"
    assert record["rows"] == removed.rows
    assert record["counts"]["answers"] == 3 and record["counts"]["conversation_log_versions"] == 2
    with store.read() as session:
        stored = json.dumps(
            [c for row in session.scalars(select(DataDeletion)) for c in vars(row).values()], default=str
        )
    assert "ANA" not in stored and "Data" not in stored
    # the person sees the record of it in their next export
    assert collect(store, ana).deletions[0]["rows"] == removed.rows


def test_deletion_is_one_transaction(store, people, monkeypatch):
    """A failure part-way leaves everything as it was."""
    ana = people["ana"].person
    before = row_counts(store)
    import workbook.data_rights as rights

    real = rights._record

    def fail(*args, **kwargs):
        real(*args, **kwargs)
        raise RuntimeError("disk full")

    monkeypatch.setattr(rights, "_record", fail)
    with pytest.raises(RuntimeError):
        delete_person_data(store, ana, by=BY_THEMSELVES)
    assert row_counts(store) == before


def test_a_deletion_for_a_person_who_is_not_the_one_named_is_refused(store, people):
    ana, bob = people["ana"].person, people["bob"].person
    forged = type(ana)(bob.id, ana.pid, ana.name, ana.email, ana.cohort, ana.created_at, ana.roles)
    before = row_counts(store)
    with pytest.raises(StoreError, match="unknown participant"):
        delete_person_data(store, forged, by=BY_THEMSELVES)
    assert row_counts(store) == before


def test_the_page_deletes_only_after_confirming_and_then_shows_an_empty_workbook(store, people):
    ana, bob = people["ana"], people["bob"]
    page = PreparationPage(store, ana.person, PREP)
    assert page.book.answers  # her answers are there
    tab = open_tab(page.widget, "Your data")
    data = page.book.your_data
    # export through the one download link
    [prepare] = find(tab, "wb-data-export")
    prepare.click()
    links = download_links(data.downloads.value)
    assert set(links) == {"data-pdf", "data-json"}
    assert "ANA answer first" in links["data-json"][2].decode()
    # a click on delete without the confirmation step does nothing
    bob_before = count_person_data(store, bob.person.id)
    data.delete()
    assert count_person_data(store, ana.person.id)["answers"] == 3
    [ask] = find(tab, "wb-data-delete-ask")
    ask.click()
    warning = data.confirm_panel.children[0].value
    assert "What goes" in warning and "answers: 3" in warning and "What stays" in warning
    assert "evaluator" in warning
    [delete] = find(tab, "wb-data-delete")
    assert delete.disabled
    # a crafted message: the delete button's click with another person's id, the box ticked by state
    data.understood.set_state({"value": True})
    delete._handle_button_msg(
        None, {"event": "click", "participant": bob.person.pid, "pid": bob.person.id}, []
    )
    assert all(n == 0 for n in count_person_data(store, ana.person.id).values())
    # Bob keeps everything, the feedback Ana wrote on his section too (it is about him)
    assert count_person_data(store, bob.person.id) == bob_before
    # the page is an empty workbook now, and says what happened
    assert page.book.answers == {}
    assert "Your answers were deleted" in page.book.status.widget.value
    assert page.book.views["self_awareness"].inputs["strengths"].value == ""


def test_pending_saves_are_dropped_before_deleting(store, people):
    ana = people["ana"]
    page = PreparationPage(store, ana.person, PREP)
    sent: list[str] = []
    page.book.autosaver._pending["x"] = (None, lambda: sent.append("saved") or utcnow())
    data = page.book.your_data
    data.ask_to_confirm()
    data.understood.value = True
    data.delete()
    assert sent == [] and page.book is not None
    assert count_person_data(store, ana.person.id)["answers"] == 0


def test_nothing_to_delete_says_so(store):
    new = identity.add_participant(store, "Nell New")
    page = PreparationPage(store, new.person, PREP)
    data = page.book.your_data
    data.ask_to_confirm()
    assert "nothing of yours to delete" in data.message.value and not data.confirm_panel.children


def test_the_manager_page_has_its_data_part_and_deletes_the_same_way(store, people):
    ana = people["ana"]
    page = ManagerPage(store, ana.person)
    open_tab(page.widget, "Your data")
    data = page.home.your_data
    data.ask_to_confirm()
    data.understood.value = True
    data.delete()
    assert all(n == 0 for n in count_person_data(store, ana.person.id).values())
    assert "Your answers were deleted" in page.widget.children[0].value
    assert page.home.your_data is not data  # a fresh page


def test_the_command_line_deletes_only_with_yes(store, people, capsys, monkeypatch):
    monkeypatch.setenv("WORKBOOK_DATABASE_URL", store.url)
    pid = people["ana"].person.pid
    assert cli.main(["participants", "delete", pid]) == 1
    out = capsys.readouterr().out
    assert "Would delete" in out and "answers: 3" in out and "--yes" in out
    assert count_person_data(store, people["ana"].person.id)["answers"] == 3
    assert cli.main(["participants", "delete", pid, "--yes"]) == 0
    assert "Deleted" in capsys.readouterr().out
    assert deletion_records(store)[0]["by"] == "command line"
    assert cli.main(["participants", "delete", "p-nobody", "--yes"]) == 2


# -- retention --------------------------------------------------------------------------------------------
def age(store, days: int) -> None:
    """Make every stored row `days` days older."""
    shift = timedelta(days=days)
    with store.write() as session:
        for name in personal_tables():
            entry = REGISTRY[name]
            column = table(name).c[entry.when]
            session.execute(update(table(name)).values({entry.when: column - shift}))


def test_purge_removes_versions_older_than_the_cut_off_and_a_dry_run_changes_nothing(store, people):
    ana = people["ana"].person
    with store.write() as session:  # everything seeded so far is 100 days old
        for name in personal_tables():
            entry = REGISTRY[name]
            old = datetime.now(UTC) - timedelta(days=100)
            session.execute(update(table(name)).values({entry.when: old}))
    store.save_answer(ana.id, SCOPE, FIELD, "ANA answer recent")  # and one answer is new
    before = row_counts(store)
    dry = purge(store, 30, dry_run=True)
    assert dry.dry_run and row_counts(store) == before and deletion_records(store) == []
    removed = purge(store, 30)
    assert removed.counts == dry.counts
    assert removed.counts["answers"] == before["answers"] - 1
    assert [a.value for a in store.answer_history(ana.id, SCOPE, FIELD)] == ["ANA answer recent"]
    # the choice of who sees a section is in force until replaced: the latest of each stays
    assert store.visibilities(ana.id, SCOPE) == {"aspirations": "facilitator"}
    assert removed.counts["visibility"] == 0
    with store.read() as session:
        assert session.scalar(select(func.count()).select_from(ConversationLog)) == 0
        assert session.scalar(select(func.count()).select_from(ConversationLogVersion)) == 0
        assert session.scalar(select(func.count()).select_from(FeedbackSeen)) == 0
    [record] = deletion_records(store)
    assert record["reason"] == "purge" and record["person"] is None and record["rows"] == removed.rows
    assert record["cutoff"] is not None


def test_purge_keeps_a_conversation_edited_after_the_cut_off(store, people):
    ana = people["ana"].person
    with store.write() as session:
        old = datetime.now(UTC) - timedelta(days=100)
        session.execute(update(ConversationLog).values(logged_at=old))
        first = session.scalar(select(func.min(ConversationLogVersion.id)))
        session.execute(
            update(ConversationLogVersion).where(ConversationLogVersion.id == first).values(changed_at=old)
        )
    purge(store, 30)
    with store.read() as session:
        kept = session.scalars(
            select(ConversationLogVersion.alias)
            .join(ConversationLog, ConversationLog.id == ConversationLogVersion.conversation_id)
            .where(ConversationLog.participant_id == ana.id)
        ).all()
    assert kept == ["ANA talk edited"]


def test_purge_needs_a_retention(store, monkeypatch, capsys):
    monkeypatch.delenv("WORKBOOK_RETENTION_DAYS", raising=False)
    with pytest.raises(StoreError, match="WORKBOOK_RETENTION_DAYS"):
        purge(store)
    monkeypatch.setenv("WORKBOOK_DATABASE_URL", store.url)
    for bad in ("0", "-3", "a year"):
        monkeypatch.setenv("WORKBOOK_RETENTION_DAYS", bad)
        assert cli.main(["purge", "--dry-run"]) == 2
        assert "WORKBOOK_RETENTION_DAYS" in capsys.readouterr().err
    monkeypatch.delenv("WORKBOOK_RETENTION_DAYS")
    assert cli.main(["purge", "--days", "0"]) == 2
    assert "at least 1" in capsys.readouterr().err
    monkeypatch.setenv("WORKBOOK_RETENTION_DAYS", "off")
    with pytest.raises(StoreError):
        purge(store)


def test_purge_from_the_command_line(store, people, capsys, monkeypatch):
    monkeypatch.setenv("WORKBOOK_DATABASE_URL", store.url)
    monkeypatch.setenv("WORKBOOK_RETENTION_DAYS", "30")
    age(store, 40)
    assert cli.main(["purge", "--dry-run"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("Would remove") and "answers: 6" in out
    assert count_person_data(store, people["ana"].person.id)["answers"] == 3
    assert cli.main(["purge", "--progress"]) == 0
    captured = capsys.readouterr()
    assert captured.out.startswith("Removed") and "Purging" in captured.err
    assert count_person_data(store, people["ana"].person.id)["answers"] == 0


# -- the privacy page -------------------------------------------------------------------------------------
def test_the_privacy_page_states_the_settings_and_escapes_them(monkeypatch):
    monkeypatch.setenv("WORKBOOK_PRIVACY_CONTACT", '<script>alert("x")</script> & HR')
    monkeypatch.setenv("WORKBOOK_RETENTION_DAYS", "365")
    monkeypatch.setenv("WORKBOOK_ANONYMITY_THRESHOLD", "7")
    page = privacy_page()
    assert "<script>" not in page and "&lt;script&gt;" in page and "&amp; HR" in page
    assert "365 days" in page and '<span class="wb-setting wb-threshold">7</span>' in page
    assert "Your data" in page and "Only you" in page
    assert "//" not in page.replace("<!DOCTYPE html>", ""), "nothing from another host"
    monkeypatch.delenv("WORKBOOK_RETENTION_DAYS")
    assert "kept until you delete it" in privacy_page()
    monkeypatch.setenv("WORKBOOK_RETENTION_DAYS", "soon")
    with pytest.raises(ConfigError, match="WORKBOOK_RETENTION_DAYS"):
        privacy_page()


def test_every_app_links_the_privacy_page():
    from workbook.apps.common import app_style
    from workbook.apps.landing import landing_page

    link = 'href="../../workbook/privacy"'
    assert link in find(app_style(), "wb-page-setup")[0].children[-1].value
    [setup] = find(landing_page(), "wb-page-setup")
    assert link in " ".join(getattr(w, "value", "") for w in setup.children)


# -- the migration ----------------------------------------------------------------------------------------
def test_the_deletions_migration_goes_down_and_up_cleanly(tmp_path):
    from alembic import command
    from sqlalchemy import create_engine, inspect

    from workbook.store import Store, _alembic_config

    url = f"sqlite:///{tmp_path / 'migrate.sqlite'}"
    Store(url).close()
    cfg = _alembic_config()
    engine = create_engine(url)
    with engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.downgrade(cfg, "0005")
    assert "data_deletions" not in inspect(create_engine(url)).get_table_names()
    with engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, "head")
    assert "data_deletions" in inspect(create_engine(url)).get_table_names()
    assert make_url(url).database


def test_a_managers_deletion_leaves_the_shared_notes_of_his_report_and_the_record_of_the_1on1(store, people):
    """Bob's 1:1 with Ana as his manager: she saved a version of the shared notes and he saved one over it.
    Ana deletes: the shared notes are about Bob, so both versions stay as he sees them; her own private
    note goes; the 1:1's record of the log entry Ana made is kept without it."""
    from workbook.models import OneOnOneHeld

    ana, bob = people["ana"].person, people["bob"].person
    with store.write() as session:
        talk = OneOnOne(member_id=bob.id, opened_at=utcnow())
        session.add(talk)
        session.flush()
        hers = OneOnOneNote(
            one_on_one_id=talk.id, kind="shared", author_id=ana.id, text="A", written_at=utcnow()
        )
        session.add(hers)
        session.flush()
        his = OneOnOneNote(
            one_on_one_id=talk.id,
            kind="shared",
            author_id=bob.id,
            text="B",
            based_on_id=hers.id,
            written_at=utcnow(),
        )
        entry = session.scalar(select(ConversationLog.id).where(ConversationLog.participant_id == ana.id))
        session.add_all(
            [
                his,
                OneOnOneNote(
                    one_on_one_id=talk.id, kind="private", author_id=ana.id, text="P", written_at=utcnow()
                ),
                OneOnOneHeld(
                    one_on_one_id=talk.id,
                    held_on=date(2026, 1, 6),
                    manager_id=ana.id,
                    log_entry_id=entry,
                    recorded_by_id=ana.id,
                    recorded_at=utcnow(),
                ),
            ]
        )
    delete_person_data(store, ana, by="themselves")
    with store.read() as session:
        notes = session.execute(select(OneOnOneNote.text, OneOnOneNote.based_on_id)).all()
        held = session.execute(select(OneOnOneHeld.held_on, OneOnOneHeld.log_entry_id)).all()
    assert ("B", hers.id) in notes and ("A", None) in notes and not any(t == "P" for t, _ in notes)
    assert held == [(date(2026, 1, 6), None)]


def test_after_a_change_of_manager_each_person_exports_and_deletes_what_they_wrote_in_either_1on1(store):
    """Each 1:1 keeps the manager it was held with (a row with no text, kept by a deletion); what each
    person wrote in either pair's 1:1s is in their own export only and goes with their deletion, the action
    the team member brought to her new manager included."""
    from workbook.team import actions
    from workbook.team.conversation import SHARED, current_conversation, open_thread, save_notes
    from workbook.team.manager_change import set_manager
    from workbook.team.snapshot import read_state

    old = identity.add_participant(store, "Al Old", cohort=COHORT).person
    new = identity.add_participant(store, "Bo New", cohort=COHORT).person
    member = identity.add_participant(store, "Tam Member", manager_pid=old.pid).person
    mine, theirs = open_thread(store, member), open_thread(store, old, member.pid)
    first = current_conversation(store, mine)
    save_notes(store, theirs, first, SHARED, "AL-NOTE", None)
    hers = actions.add_action(store, mine, first, "TAM-ACTION", "member", "2030-07-01")
    set_manager(store, member.pid, new.pid)
    his = open_thread(store, new, member.pid)
    second = current_conversation(store, mine)
    actions.carry_over_action(store, mine, second, hers.item)
    save_notes(store, his, second, SHARED, "BO-NOTE", None)

    exported = {p.name: collect(store, p).as_json() for p in (old, new, member)}
    rows = exported["Tam Member"]["tables"]["one_on_one_items"]["rows"]
    assert [(r["text"], r["one_on_one_id"], r["carried_from"]) for r in rows] == [
        ("TAM-ACTION", first, None),
        ("TAM-ACTION", second, hers.item),
    ]
    text = {name: json.dumps(data) for name, data in exported.items()}
    assert "AL-NOTE" in text["Al Old"] and "BO-NOTE" not in text["Al Old"]
    assert "BO-NOTE" in text["Bo New"] and "AL-NOTE" not in text["Bo New"] and "TAM-" not in text["Bo New"]

    removed = delete_person_data(store, member, by=BY_THEMSELVES)
    assert removed.counts["one_on_one_items"] == 2
    with store.read() as session:
        pairs = session.execute(select(OneOnOne.id, OneOnOne.manager_id).order_by(OneOnOne.id)).all()
    assert pairs == [(first, old.id), (second, new.id)]  # the 1:1s and their managers stay
    state = read_state(store, his)
    # her 1:1s' shared notes are about her: every version goes, the one her new manager saved too
    assert state.actions == () and state.shared.text == "" and state.shared.versions == 0
    assert "BO-NOTE" not in json.dumps(collect(store, new).as_json())


# -- text written together: one rule, from the registry ------------------------------------------------------
REMOVED_BY_HER = "text removed at the team member's request"


@pytest.fixture
def pair(store):
    """A team member and her manager with the threads each opens, and her current 1:1."""
    from workbook.team.conversation import current_conversation, open_thread

    manager = identity.add_participant(store, "Max Manager", cohort=COHORT)
    member = identity.add_participant(store, "Tia Member", manager_pid=manager.person.pid)
    mine = open_thread(store, member.person)
    his = open_thread(store, manager.person, member.person.pid)
    return {
        "member": member,
        "manager": manager,
        "mine": mine,
        "his": his,
        "talk": current_conversation(store, mine),
    }


def exported_text(store, person) -> str:
    return json.dumps(collect(store, person).as_json(), ensure_ascii=False)


def test_her_deletion_removes_every_version_of_the_shared_notes_keeps_his_private_notes_and_tells_him(
    store, pair
):
    from workbook.team.conversation import PRIVATE, SHARED, read_notes, save_notes
    from workbook.team.snapshot import read_state

    mine, his, talk = pair["mine"], pair["his"], pair["talk"]
    hers = save_notes(store, mine, talk, SHARED, "TIA-LINE", None)
    save_notes(store, his, talk, SHARED, "TIA-LINE\nMAX-LINE", hers.version_id)  # his version over hers
    save_notes(store, his, talk, PRIVATE, "MAX-PRIVATE")
    save_notes(store, mine, talk, PRIVATE, "TIA-PRIVATE")
    assert read_state(store, his).notes_deleted_at is None
    assert count_person_data(store, pair["member"].person.id)["one_on_one_notes"] == 3

    removed = delete_person_data(store, pair["member"].person, by=BY_THEMSELVES)
    assert removed.counts["one_on_one_notes"] == 3
    with store.read() as session:
        texts = list(session.scalars(select(OneOnOneNote.text)))
    assert texts == ["MAX-PRIVATE"]  # every shared version gone, whoever saved it; his private notes stay
    assert read_notes(store, his, talk, SHARED).versions == 0
    assert read_notes(store, his, talk, PRIVATE).text == "MAX-PRIVATE"
    assert "TIA-LINE" not in exported_text(store, pair["manager"].person)
    # he is told on his next visit, without any content; her page says nothing of it
    told = read_state(store, his).notes_deleted_at
    assert told is not None and read_state(store, mine).notes_deleted_at is None
    from workbook.apps.conversation import ConversationApp
    from workbook.apps.signin import PageSession

    manager = pair["manager"]
    page = ConversationApp(PageSession(manager.person, store), mine.member_pid).page
    assert "deleted at the team member&#39;s request" in page.notes_deleted.value
    assert "TIA" not in page.notes_deleted.value and "TIA-LINE" not in page.notes[SHARED].box.value
    # the deletion record names the 1:1 (an id), never what the notes said
    [record] = deletion_records(store)
    assert record["co_written_removed_in"] == {"one_on_one_notes": [talk]}
    assert "TIA" not in json.dumps(record)


def test_her_deletion_of_private_notes_only_tells_him_nothing(store, pair):
    from workbook.team.conversation import PRIVATE, save_notes
    from workbook.team.snapshot import read_state

    save_notes(store, pair["mine"], pair["talk"], PRIVATE, "TIA-PRIVATE")
    delete_person_data(store, pair["member"].person, by=BY_THEMSELVES)
    assert read_state(store, pair["his"]).notes_deleted_at is None


def test_her_export_lists_the_versions_of_her_shared_notes_the_manager_saved(store, pair):
    from workbook.team.conversation import SHARED, save_notes

    hers = save_notes(store, pair["mine"], pair["talk"], SHARED, "TIA-LINE", None)
    save_notes(store, pair["his"], pair["talk"], SHARED, "TIA-LINE and MAX-LINE", hers.version_id)
    rows = collect(store, pair["member"].person).as_json()["tables"]["one_on_one_notes"]["rows"]
    assert [(r["text"], r["author"]) for r in rows] == [
        ("TIA-LINE", pair["member"].person.pid),
        ("TIA-LINE and MAX-LINE", pair["manager"].person.pid),
    ]
    # he still has the version he saved in his own export (his deletion leaves it: it is about her)
    assert "TIA-LINE and MAX-LINE" in exported_text(store, pair["manager"].person)
    assert count_person_data(store, pair["manager"].person.id)["one_on_one_notes"] == 0


def test_an_action_she_wrote_and_he_updated_keeps_owner_status_and_due_date_without_her_text(store, pair):
    from workbook.team.actions import add_action, update_action
    from workbook.team.snapshot import read_state

    mine, his, talk = pair["mine"], pair["his"], pair["talk"]
    action = add_action(store, mine, talk, "TIA-ACTION", "member", "2030-07-01")
    update_action(store, his, action.item, status="in_progress")
    assert count_person_data(store, pair["member"].person.id)["one_on_one_items"] == 2
    assert "TIA-ACTION" in exported_text(store, pair["member"].person)

    delete_person_data(store, pair["member"].person, by=BY_THEMSELVES)
    for thread in (his, mine):  # both 1:1 pages
        [kept] = read_state(store, thread).actions
        assert (kept.text, kept.owner, kept.status, kept.due_on) == (
            REMOVED_BY_HER,
            "member",
            "in_progress",
            date(2030, 7, 1),
        )
    with store.read() as session:
        assert list(session.scalars(select(OneOnOneItem.text))) == [REMOVED_BY_HER]
    assert "TIA-ACTION" not in exported_text(store, pair["manager"].person)
    assert all(n == 0 for n in count_person_data(store, pair["member"].person.id).values())


def test_his_action_she_set_done_stays_done_after_her_deletion(store, pair):
    from workbook.team.actions import add_action, update_action
    from workbook.team.snapshot import read_state

    mine, his, talk = pair["mine"], pair["his"], pair["talk"]
    action = add_action(store, his, talk, "MAX-ACTION", "manager", "2030-08-01")
    update_action(store, mine, action.item, status="done")
    delete_person_data(store, pair["member"].person, by=BY_THEMSELVES)
    for thread in (his, mine):
        [kept] = read_state(store, thread).actions
        assert (kept.text, kept.owner, kept.status, kept.due_on) == (
            "MAX-ACTION",
            "manager",
            "done",
            date(2030, 8, 1),
        )


def test_his_deletion_leaves_her_notes_topics_and_actions_as_she_sees_them(store, pair):
    from workbook.team.actions import add_action, add_agenda_item, update_action
    from workbook.team.conversation import PRIVATE, SHARED, read_notes, save_notes
    from workbook.team.snapshot import read_state

    mine, his, talk = pair["mine"], pair["his"], pair["talk"]
    hers = save_notes(store, mine, talk, SHARED, "TIA-LINE", None)
    save_notes(store, his, talk, SHARED, "TIA-LINE\nMAX-LINE", hers.version_id)
    save_notes(store, his, talk, PRIVATE, "MAX-PRIVATE")
    add_agenda_item(store, mine, talk, "TIA-TOPIC")
    add_agenda_item(store, his, talk, "MAX-TOPIC")
    her_action = add_action(store, mine, talk, "TIA-ACTION", "member", "2030-07-01")
    update_action(store, his, her_action.item, status="in_progress")
    his_action = add_action(store, his, talk, "MAX-ACTION", "manager", "2030-08-01")
    update_action(store, mine, his_action.item, status="done")
    before = read_state(store, mine)

    delete_person_data(store, pair["manager"].person, by=BY_THEMSELVES)
    after = read_state(store, mine)
    assert (after.shared.text, after.shared.versions) == ("TIA-LINE\nMAX-LINE", 2)  # her notes as she saw
    assert after.shared == before.shared
    assert [i.text for i in after.agenda] == ["TIA-TOPIC"]  # his topic was his text alone
    shown = {(a.text, a.owner, a.status, a.due_on) for a in after.actions}
    assert shown == {
        ("TIA-ACTION", "member", "in_progress", date(2030, 7, 1)),  # her action, his status kept
        ("text removed at the manager's request", "manager", "done", date(2030, 8, 1)),
    }
    assert read_notes(store, his, talk, PRIVATE).versions == 0  # his private notes went
    assert "MAX-ACTION" not in exported_text(store, pair["member"].person)


def test_a_facilitators_deletion_leaves_the_feedback_a_participant_received(store, people):
    """It is about the participant: it stays as written, with the facilitator's name (their account stays);
    only feedback on what the facilitator shared goes (Bob's on the facilitator's item, about them)."""
    from workbook.facilitator.shared import my_feedback

    fac, ana = people["fac"].person, people["ana"].person
    removed = delete_person_data(store, fac, by=BY_THEMSELVES)
    assert removed.counts["facilitator_feedback"] == 1
    rows = collect(store, ana).as_json()["tables"]["facilitator_feedback"]["rows"]
    received = [r for r in rows if r["owner"] == ana.pid]
    assert [(r["text"], r["author"]) for r in received] == [("ANA feedback to them", fac.pid)]
    [note] = my_feedback(store, ana, [SCOPE])[(SCOPE, "aspirations")]  # what her page shows
    assert (note.text, note.author) == ("ANA feedback to them", "Fay Facil")


def test_the_dialog_and_the_privacy_page_state_the_rule_from_the_registry(store, pair):
    from workbook.apps.your_data import YourData
    from workbook.team.conversation import SHARED, save_notes

    rules = personal_data.co_written_rules()
    assert len(rules) == 3 and any("whoever saved it" in rule for rule in rules)
    save_notes(store, pair["mine"], pair["talk"], SHARED, "TIA-LINE", None)
    data = YourData(store, pair["member"].person)
    data.ask_to_confirm()
    warning = data.confirm_panel.children[0].value
    page = privacy_page()
    for rule in rules:
        assert str(html_escape(rule)) in warning and str(html_escape(rule)) in page


def html_escape(text: str) -> str:
    from markupsafe import escape

    return str(escape(text))


# -- prepared downloads follow the data ---------------------------------------------------------------------
def test_two_open_1on1_pages_lose_their_prepared_briefings_after_her_deletion(store, pair):
    from ipywidgets.widgets.widget import _instances

    from workbook.apps.conversation import ConversationApp
    from workbook.apps.signin import PageSession
    from workbook.team.actions import add_action
    from workbook.team.conversation import PRIVATE, record_held, save_notes
    from workbook.team.plan import set_planned_date

    member, manager, mine = pair["member"], pair["manager"], pair["mine"]
    store.save_answer(member.person.id, SCOPE, FIELD, "TIA-ASPIRATION")
    store.set_visibility(member.person.id, SCOPE, "aspirations", "manager")
    save_notes(store, mine, pair["talk"], PRIVATE, "TIA-PRIVATE-NOTE")
    record_held(store, mine, pair["talk"], date.today())
    held = record_held(store, mine, pair["talk"], date.today())
    add_action(store, mine, held.next_conversation_id, "TIA-ACTION", "member", "2030-07-01")
    set_planned_date(store, mine, held.next_conversation_id, "2030-06-01")  # so a calendar file is made too

    hers = ConversationApp(PageSession(member.person, store)).page
    _instances.clear()  # his page in a kernel of its own
    his = ConversationApp(PageSession(manager.person, store), member.person.pid).page
    for page, held_text in ((hers, "TIA-PRIVATE-NOTE"), (his, "TIA-ACTION")):
        page.make_briefing()
        assert set(download_links(page.downloads.value)) == {"pdf", "ics"}
        page.refresh()  # nothing changed: the briefing stays
        assert set(download_links(page.downloads.value)) == {"pdf", "ics"}
        assert held_text in " ".join(
            pypdf.PdfReader(io.BytesIO(download_links(page.downloads.value)["pdf"][2]))
            .pages[0]
            .extract_text()
            .split()
        )

    delete_person_data(store, member.person, by=BY_THEMSELVES)
    for page in (hers, his):
        page.refresh()  # the page's next refresh
        assert download_links(page.downloads.value) == {}
        assert "wb-download-dropped" in page.downloads.value
        assert not page.briefing_files.offered


def test_the_plan_and_the_export_another_tab_prepared_go_after_a_deletion_and_at_once_on_the_deleting_page(
    store, people
):
    ana = people["ana"]
    other_tab = PreparationPage(store, ana.person, PREP)
    other_tab.book.build_plan()
    assert download_links(other_tab.book.downloads.value)
    data = other_tab.book.your_data
    data.export()
    assert set(download_links(data.downloads.value)) == {"data-pdf", "data-json"}
    assert other_tab.book.plan_files.follow() and data.files.follow()  # nothing went: they stay

    deleting = PreparationPage(store, ana.person, PREP)
    deleting.book.your_data.export()
    deleting.book.your_data.ask_to_confirm()
    deleting.book.your_data.understood.value = True
    old = deleting.book.your_data
    old.delete()
    assert download_links(old.downloads.value) == {}  # the deleting page at once

    assert not other_tab.book.plan_files.follow()  # the other tab at its next check
    assert download_links(other_tab.book.downloads.value) == {}
    assert other_tab.book.plan_preview.value == ""
    assert not data.files.follow() and download_links(data.downloads.value) == {}
