"""Behaviour (the conversation log, Kirkpatrick level 3) and reaction (level 1) of the manager track."""

from __future__ import annotations

from datetime import date, datetime, timedelta

import pytest
from sqlalchemy import func, select

from workbook.identity import add_participant
from workbook.manager.behaviour import behaviour_counts, conversations, log_conversation
from workbook.manager.reaction import SCOPE, my_reaction, save_reaction
from workbook.models import Answer, ConversationLog
from workbook.store import Store, StoreError
from workbook.validation import InputError

TODAY = date(2030, 6, 15)


@pytest.fixture
def manager(store):
    return add_participant(store, "Mo Manager", cohort="North").person


def n_logged(store: Store) -> int:
    with store.read() as session:
        return session.scalar(select(func.count(ConversationLog.id)))


# -- the conversation log ------------------------------------------------------------------------------
def test_log_and_list(store, manager):
    first = log_conversation(store, manager, "2030-06-01", "  Jo   B ", True, False, today=TODAY)
    assert (first.held_on, first.alias, first.idp_started, first.follow_up_planned) == (
        date(2030, 6, 1),
        "Jo B",
        True,
        False,
    )
    log_conversation(store, manager, TODAY, "Al", False, True, today=TODAY)  # today is fine
    log_conversation(store, manager, date(2000, 1, 1), "Old", False, False, today=TODAY)
    assert [c.alias for c in conversations(store, manager)] == ["Al", "Jo B", "Old"]
    other = add_participant(store, "Other").person
    assert conversations(store, other) == []


@pytest.mark.parametrize(
    ("held_on", "alias", "idp", "follow", "message"),
    [
        (TODAY + timedelta(days=1), "Jo", True, True, "has not come yet: log a conversation once"),
        (date(1999, 12, 31), "Jo", True, True, "is too far back: choose Saturday 1 January 2000 or later"),
        ("06/15/2030", "Jo", True, True, "not a real date"),
        ("mid June", "Jo", True, True, "not a date we can read"),
        (datetime(2030, 6, 1, 10), "Jo", True, True, "expected a date"),
        (None, "Jo", True, True, "expected a date"),
        (TODAY, "", True, True, "must not be empty"),
        (TODAY, "x" * 81, True, True, "at most 80"),
        (TODAY, None, True, True, "expected text"),
        (TODAY, "Jo", 1, True, "expected yes or no"),
        (TODAY, "Jo", True, "yes", "expected yes or no"),
        (TODAY, "Jo", None, True, "expected yes or no"),
    ],
)
def test_bad_log_entries_are_refused(store, manager, held_on, alias, idp, follow, message):
    with pytest.raises(InputError, match=message):
        log_conversation(store, manager, held_on, alias, idp, follow, today=TODAY)
    assert n_logged(store) == 0


def test_future_is_judged_against_the_real_today(store, manager):
    with pytest.raises(InputError):
        log_conversation(store, manager, date.today() + timedelta(days=1), "Jo", True, True)
    log_conversation(store, manager, date.today(), "Jo", True, True)


def test_behaviour_counts(store, manager):
    south = add_participant(store, "South manager", cohort="South").person
    add_participant(store, "Idle manager", cohort="North")
    log_conversation(store, manager, "2030-06-01", "Jo", True, True, today=TODAY)
    log_conversation(store, manager, "2030-06-02", "Al", False, True, today=TODAY)
    log_conversation(store, south, "2030-06-03", "Bo", True, False, today=TODAY)
    assert behaviour_counts(store) == {
        "conversations": 3,
        "managers_with_conversation": 2,
        "idps_started": 2,
        "follow_ups_planned": 2,
    }
    assert behaviour_counts(store, "North") == {
        "conversations": 2,
        "managers_with_conversation": 1,
        "idps_started": 1,
        "follow_ups_planned": 2,
    }
    add_participant(store, "Nobody", cohort="Empty")
    assert behaviour_counts(store, "Empty") == dict.fromkeys(
        ("conversations", "managers_with_conversation", "idps_started", "follow_ups_planned"), 0
    )
    with pytest.raises(StoreError):
        behaviour_counts(store, "Nowhere")


def test_follow_ups_count_only_what_was_planned_old_entries_keep_theirs_and_the_definitions_say_so(
    store, manager
):
    """An entry logged before the rule (true for any open action) keeps its value; a 1:1 recorded with
    nothing planned counts no follow-up until its next date is set; the evaluator's page defines it."""
    from workbook.apps.evaluator.views import behaviour_html
    from workbook.team.conversation import current_conversation, open_thread, record_held
    from workbook.team.plan import set_planned_date

    log_conversation(store, manager, "2030-06-01", "Old", False, True, today=TODAY)  # as recorded then
    member = add_participant(store, "Tia", manager_pid=manager.pid).person
    thread = open_thread(store, member)
    held = record_held(store, thread, current_conversation(store, thread), "2030-06-10", today=TODAY)
    assert behaviour_counts(store)["follow_ups_planned"] == 1  # the old entry only
    set_planned_date(store, thread, held.next_conversation_id, "2030-07-01")
    assert behaviour_counts(store) == {
        "conversations": 2,
        "managers_with_conversation": 1,
        "idps_started": 0,
        "follow_ups_planned": 2,
    }
    page = behaviour_html({**behaviour_counts(store), "suppressed": False})
    assert "a next conversation or an action with a date" in page
    assert "Entries logged before this rule keep what they recorded" in page


# -- reaction ------------------------------------------------------------------------------------------
def n_answers(store: Store) -> int:
    with store.read() as session:
        return session.scalar(select(func.count(Answer.id)))


def test_reaction_saved_with_private_comment_by_default(store, manager):
    ratings = {"usefulness": 4, "relevance": 5, "confidence_to_apply": 3, "would_recommend": 4}
    saved = save_reaction(store, manager, ratings, "Useful <b>scenarios</b>")
    assert saved.ratings == ratings and saved.comment == "Useful <b>scenarios</b>"
    assert saved.visibility == "private"
    assert store.visibilities(manager.id, SCOPE) == {}  # the default needs no row
    shared = save_reaction(store, manager, {"usefulness": 5}, None, "facilitator")
    assert shared.ratings["usefulness"] == 5 and shared.comment == "Useful <b>scenarios</b>"
    assert store.visibilities(manager.id, SCOPE) == {"comment": "facilitator"}
    assert len(store.answer_history(manager.id, SCOPE, "usefulness")) == 2
    assert my_reaction(store, manager) == shared


@pytest.mark.parametrize(
    ("ratings", "comment", "visibility", "message"),
    [
        ({"usefulness": 6}, "", "private", "usefulness"),
        ({"usefulness": 0}, "", "private", "usefulness"),
        ({"usefulness": True}, "", "private", "usefulness"),
        ({"usefulness": 4.0}, "", "private", "usefulness"),
        ({"usefulness": "4"}, "", "private", "usefulness"),
        ({"fun": 4}, "", "private", "'fun' is not a reaction question"),
        ([4, 4, 4, 4], "", "private", "expected ratings"),
        ({"usefulness": 4}, "x" * 2001, "private", "at most 2000"),
        ({"usefulness": 4}, 42, "private", "expected text"),
        ({"usefulness": 4}, "ok", "manager", "not one of private, facilitator"),
        ({"usefulness": 4}, "ok", "everyone", "not one of private, facilitator"),
    ],
)
def test_bad_reactions_store_nothing(store, manager, ratings, comment, visibility, message):
    with pytest.raises(InputError, match=message):
        save_reaction(store, manager, ratings, comment, visibility)
    assert n_answers(store) == 0
    assert store.visibilities(manager.id, SCOPE) == {}


def test_going_back_before_the_history_keeps_what_each_entry_says_now(tmp_path):
    """Migration 0004 down: each conversation keeps its latest version, deleted ones go; up again, each
    gets its first version back."""
    from alembic import command

    from workbook.manager.behaviour import conversation_history, delete_conversation, edit_conversation
    from workbook.store import _alembic_config

    url = f"sqlite:///{tmp_path / 'store.sqlite'}"
    store = Store(url)
    person = add_participant(store, "Mo Manager", cohort="North").person
    kept = log_conversation(store, person, "2030-06-01", "Jo", False, False, today=TODAY)
    edit_conversation(store, person, kept.id, "2030-06-02", "Jo B", True, False, today=TODAY)
    gone = log_conversation(store, person, "2030-06-03", "Al", False, False, today=TODAY)
    delete_conversation(store, person, gone.id)
    cfg = _alembic_config()
    with store.migration_connection() as conn:
        cfg.attributes["connection"] = conn
        command.downgrade(cfg, "0003")
        rows = conn.execute(select(ConversationLog.alias, ConversationLog.idp_started)).all()
    store.close()
    assert rows == [("Jo B", True)]
    again = Store(url)  # upgraded once more
    [now] = conversations(again, person)
    assert (now.alias, now.idp_started, now.held_on) == ("Jo B", True, date(2030, 6, 2))
    assert [v.change for v in conversation_history(again, person, now.id)] == ["logged"]
    again.close()
