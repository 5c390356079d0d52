"""When a team member's next 1:1 is planned: a date and, if set, a time ("HH:MM") with the IANA time zone of
whoever set it, so both sides and every calendar file mean the same moment wherever they are. Either side
sets it, in the pair's current 1:1; setting the next 1:1's date counts as the follow-up planned in the
manager's log entry of the 1:1 before it (`workbook.manager.behaviour`). Append-only: the latest change
counts."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from workbook.manager.behaviour import mark_follow_up_planned
from workbook.models import OneOnOne, OneOnOneHeld, OneOnOnePlan
from workbook.store import Store, as_utc, utcnow
from workbook.team.conversation import Thread, check, held_record, owned_conversation
from workbook.validation import (
    EARLIEST_DATE,
    LATEST_DATE,
    InputError,
    clean_date,
    clean_time,
    clean_time_zone,
)


@dataclass(frozen=True)
class Plan:
    """When a 1:1 is planned: a date, and a time ("HH:MM") in the IANA zone of whoever set it (both None
    for a date only, as every plan made before times were kept)."""

    day: date
    time: str | None
    time_zone: str | None
    set_by_id: int
    set_at: datetime

    @property
    def start(self) -> datetime | None:
        """The planned moment in its own zone, None for a date without a time."""
        from workbook.ics import zoned

        return zoned(self.day, self.time, self.time_zone) if self.time and self.time_zone else None


def plan_of(session: Session, conversation_id: int) -> Plan | None:
    """The 1:1's plan as it stands (the latest change counts), None when no date is set."""
    row = session.scalar(
        select(OneOnOnePlan)
        .where(OneOnOnePlan.one_on_one_id == conversation_id)
        .order_by(OneOnOnePlan.id.desc())
        .limit(1)
    )
    if row is None or row.planned_on is None:
        return None
    return Plan(row.planned_on, row.planned_time, row.time_zone, row.by_id, as_utc(row.at))


def planned_on(session: Session, conversation_id: int) -> date | None:
    plan = plan_of(session, conversation_id)
    return plan.day if plan else None


def set_planned_date(
    store: Store,
    thread: Thread,
    conversation_id: int,
    value: object,
    start_time: object = None,
    time_zone: object = None,
) -> Plan | None:
    """Set (or with None / "" clear) the date the 1:1 is planned for, and its time if given: a time is
    stored with ``time_zone``, the IANA zone of whoever sets it (their browser's), so both sides and
    every calendar file mean the same moment. Setting the next 1:1's date counts as the follow-up planned
    in the manager's log entry of the 1:1 before it. InputError naming the field (nothing stored) for a
    date that cannot be read or is not between 2000 and 2100, a time that cannot be read, a time without a
    date, or a zone that is no time zone."""
    cleaned = (
        None
        if value is None or value == ""
        else clean_date("Planned date", value, earliest=EARLIEST_DATE, latest=LATEST_DATE)
    )
    at_time = clean_time("Planned time", start_time)
    if at_time is not None and cleaned is None:
        raise InputError("Planned time: choose the date first")
    zone = clean_time_zone("Time zone", time_zone) if at_time is not None else None
    with store.write() as session:
        manager_id = check(session, thread)
        row = owned_conversation(session, thread, conversation_id, manager_id, to_write=True)
        if held_record(session, row.id) is not None:
            raise InputError("Planned date: this 1:1 was recorded as held already")
        moment = utcnow()
        session.add(
            OneOnOnePlan(
                one_on_one_id=row.id,
                planned_on=cleaned,
                planned_time=at_time,
                time_zone=zone,
                by_id=thread.viewer_id,
                at=moment,
            )
        )
        if cleaned is not None:
            before = session.scalar(
                select(OneOnOneHeld.log_entry_id)
                .join(OneOnOne, OneOnOne.id == OneOnOneHeld.one_on_one_id)
                .where(
                    OneOnOne.member_id == row.member_id,
                    OneOnOne.manager_id == manager_id,
                    OneOnOne.id < row.id,
                )
                .order_by(OneOnOne.id.desc())
                .limit(1)
            )
            if before is not None:
                mark_follow_up_planned(
                    session, before, by_id=thread.viewer_id, change="Follow-up planned (the next 1:1's date)"
                )
        session.flush()
        return plan_of(session, row.id)
