"""Demo content for a first start: clearly synthetic people with partly filled answers.

Seeding is idempotent: running it again adds nothing that is already there.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from urllib.parse import quote

from workbook import config, identity
from workbook.preparation import GOALS_FIELD, SCOPE, answer_key
from workbook.store import Store, StoreError

DEMO_TEAM_MEMBER = "demo-team-member"
DEMO_EVALUATOR = "demo-evaluator"
DEMO_FACILITATOR = "demo-facilitator"
DEMO_MANAGER = "demo-m01"  # the demo team member's manager, from the manager track's demo

DEMO_ANSWERS: dict[str, object] = {
    answer_key("self_awareness", "evidence"): (
        "My last review praised how I run client workshops. A peer survey said I could delegate more."
    ),
    answer_key("self_awareness", "strengths"): "Facilitating workshops; explaining technical ideas simply.",
    answer_key("self_awareness", "growth_areas"): "Delegating; planning work beyond the next quarter.",
    answer_key("aspirations", "in_two_years"): "Leading a small team that runs our customer training.",
    answer_key("support", "network"): ["manager", "mentor"],
    answer_key("goals", GOALS_FIELD): [
        {
            "id": "demo-goal-onboarding",
            "goal": "Run the spring onboarding programme end to end",
            "measure": "Programme delivered; participant rating of 4 or more out of 5",
            "target_date": "2027-05-31",
            "first_step": "Ask to shadow the current programme lead in January",
        }
    ],
}


@dataclass(frozen=True)
class DemoResult:
    created: bool
    link: str | None
    code: str | None = None


def seed_team_member(store: Store, *, issue_link: bool = True) -> DemoResult:
    """Create the demo team member with some answers; issue a fresh personal link if asked."""
    try:
        person = identity.find_participant(store, DEMO_TEAM_MEMBER)
        created = False
    except StoreError:
        issued = identity.add_participant(
            store, "Demo team member (synthetic)", manager_pid=DEMO_MANAGER, pid=DEMO_TEAM_MEMBER
        )
        person = issued.person
        created = True
        for key, value in DEMO_ANSWERS.items():
            store.save_answer(person.id, SCOPE, key, value)
    if created:
        seed_team_sharing(store, person)
    issued = identity.reissue(store, person.pid) if issue_link else None
    return DemoResult(created, issued.url if issued else None, issued.code if issued else None)


# What the demo team member shares with Demo manager 01 (the rest stays private), and their check-ins on
# their goal over the past weeks: what the manager's "My team" shows on a first start.
DEMO_SHARED_WITH_MANAGER = ("aspirations", "goals")
DEMO_CHECKINS = (  # (weeks ago, status, progress, note)
    (6, "not_started", 0, "Asked to shadow the programme lead; waiting to hear back."),
    (4, "on_track", 20, "Shadowed two sessions; I have the plan of the spring programme."),
    (2, "on_track", 40, "Booked the rooms and trainers; the agenda is drafted."),
    (1, "at_risk", 45, "Two trainers cannot make May: looking for cover."),
)


def seed_team_sharing(store: Store, person: identity.Person) -> None:
    """Share some sections with the manager (others stay private) and record past check-ins on the goal."""
    from datetime import timedelta

    from workbook.store import utcnow
    from workbook.team.checkins import record_checkin

    for section in DEMO_SHARED_WITH_MANAGER:
        store.set_visibility(person.id, SCOPE, section, "manager")
    store.set_visibility(person.id, SCOPE, "self_awareness", "private")
    now = utcnow()
    for weeks, status, progress, note in DEMO_CHECKINS:
        record_checkin(
            store, person, "demo-goal-onboarding", status, progress, note, at=now - timedelta(weeks=weeks)
        )


def evaluator_link(store: Store) -> str:
    """A fresh personal link for the demo evaluator (a person with the evaluator role)."""
    try:
        identity.find_participant(store, DEMO_EVALUATOR)
    except StoreError:
        name = "Demo evaluator (synthetic)"
        identity.add_participant(store, name, roles=["evaluator"], pid=DEMO_EVALUATOR, allow_privileged=True)
    return identity.personal_link(identity.reissue(store, DEMO_EVALUATOR).code, "evaluator")


def facilitator_link(store: Store, cohorts: list[str]) -> str:
    """A fresh personal link for the demo facilitator, who runs the demo cohorts."""
    try:
        identity.find_participant(store, DEMO_FACILITATOR)
    except StoreError:
        name = "Demo facilitator (synthetic)"
        identity.add_participant(
            store,
            name,
            email="demo-facilitator@example.org",
            roles=[f"facilitator:{cohort}" for cohort in cohorts],
            pid=DEMO_FACILITATOR,
            allow_privileged=True,
        )
    for cohort in cohorts:  # idempotent: a cohort added to the demo later is granted too
        identity.grant_role(store, DEMO_FACILITATOR, f"facilitator:{cohort}", allow_privileged=True)
    return identity.personal_link(identity.reissue(store, DEMO_FACILITATOR).code, "facilitator")


def seed_one_on_ones(store: Store, today: date | None = None) -> bool:
    """Two past 1:1s of the demo team member with Demo manager 01 (held, with shared notes) and open
    actions, if they have none yet; whether anything was added."""
    from workbook.team import actions, conversation, plan

    today = today or date.today()
    member = identity.find_participant(store, DEMO_TEAM_MEMBER)
    manager = identity.find_participant(store, DEMO_MANAGER)
    mine = conversation.open_thread(store, member)
    theirs = conversation.open_thread(store, manager, member.pid)
    with store.read() as session:
        if conversation.past_conversations(session, mine):
            return False
    talks = (
        (
            42,
            "We talked about what I enjoy most: running workshops. "
            "Next: find out how the training team works.",
            [
                ("Ask the training lead for a coffee", "member", 21, "done"),
                ("Check the budget for a facilitation course", "manager", 60, "open"),
            ],
        ),
        (
            14,
            "The coffee went well. I would like to co-run one onboarding session before spring.",
            [("Agree a date to co-run an onboarding session", "member", 30, "open")],
        ),
    )
    for days_ago, notes, todo in talks:
        current = conversation.current_conversation(store, mine)
        conversation.save_notes(store, mine, current, conversation.SHARED, notes, None)
        for text, owner, due_in, status in todo:
            item = actions.add_action(
                store, theirs, current, text, owner, today - timedelta(days_ago - due_in)
            )
            if status != "open":
                actions.update_action(store, theirs, item.item, status=status)
        conversation.record_held(store, theirs, current, today - timedelta(days_ago), today=today)
    plan.set_planned_date(store, mine, conversation.current_conversation(store, mine), today + timedelta(14))
    return True


def seed_all(store: Store) -> list[str]:
    """Seed every app's demo content and return lines to print (with fresh personal links)."""
    from workbook.manager.demo import COHORTS, seed_manager_demo

    managers = seed_manager_demo(store)
    team_member = seed_team_member(store)
    seed_one_on_ones(store)
    manager_code = identity.reissue(store, DEMO_MANAGER).code
    manager_link = identity.personal_link(manager_code, "manager")
    one_on_one = identity.personal_link(manager_code, "conversation") + f"&member={quote(DEMO_TEAM_MEMBER)}"
    key = config.evaluator_key()
    shared = f"{config.public_base_url()}/voila/render/evaluator.ipynb?key={quote(key)}" if key else None
    return [
        "Demo content is synthetic: no real person's answers.",
        f"Demo managers: {managers['managers']} created now, in {managers['cohorts']} new cohort(s).",
        f"Demo manager (Demo manager 01): {manager_link}",
        f"Demo team member ({'created' if team_member.created else 'already there'}): {team_member.link}",
        f"1:1 page, Demo manager 01 with the demo team member: {one_on_one}",
        f"1:1 page, the demo team member with Demo manager 01: "
        f"{identity.personal_link(team_member.code or '', 'conversation')}",
        f"Demo facilitator (demo cohorts): {facilitator_link(store, [c.name for c in COHORTS])}",
        f"Demo evaluator (demo cohorts): {evaluator_link(store)}",
    ] + ([f"Evaluator, with the shared evaluator key: {shared}"] if shared else [])
