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
    # Bob keeps everything except the feedback Ana wrote on his item (her words)
    bob_after = count_person_data(store, bob.id)
    assert bob_after["facilitator_feedback"] == bob_before["facilitator_feedback"] - 1
    assert {k: v for k, v in bob_after.items() if k != "facilitator_feedback"} == {
        k: v for k, v in bob_before.items() if k != "facilitator_feedback"
    }
    assert "BOB answer second" in json.dumps(collect(store, bob).as_json())
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
    # Bob keeps everything but the feedback Ana wrote on his section (her words)
    assert count_person_data(store, bob.person.id) == {
        **bob_before,
        "facilitator_feedback": bob_before["facilitator_feedback"] - 1,
    }
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
    page = ManagerPage(store, ana.person, ana.code)
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


def test_a_version_another_person_built_on_goes_and_theirs_stays(store, people):
    """Bob's shared-notes version was based on Ana's; Ana deletes: hers go, his stays, no longer based on
    anything (and the 1:1's record of the log entry Ana made is kept without it)."""
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
    assert ("B", None) in notes and not any(text == "A" for text, _ in notes)
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
    assert state.actions == () and state.shared.text == "BO-NOTE"
