"""The facilitator's commands (`workbook cohorts|roster|handouts|lessons`): the same domain calls as the
facilitator's app, for scripting. A bad value raises StoreError, which `workbook` prints and exits 2 on."""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import NoReturn

from workbook.text import counted


def _store():
    from workbook.store import Store  # imported when a command runs: `workbook --help` stays quick

    return Store()


def _refuse(message: str) -> NoReturn:
    from workbook.store import StoreError

    raise StoreError(message)


def cmd_cohorts_add(args: argparse.Namespace) -> int:
    from workbook.facilitator.cohorts import add_cohort, parse_session, read_day

    info = add_cohort(
        _store(),
        args.name,
        starts_on=read_day("--starts", args.starts),
        ends_on=read_day("--ends", args.ends),
        sessions=[parse_session(text) for text in args.session or []],
    )
    print(f"Added cohort {info.name} ({info.dates}, {counted(len(info.sessions), 'workshop session')})")
    return 0


def cmd_cohorts_edit(args: argparse.Namespace) -> int:
    from workbook.facilitator.cohorts import SessionSpec, cohort_info, edit_cohort, parse_session, read_day

    store = _store()
    now = cohort_info(store, args.name)
    sessions = [SessionSpec(held_on=day, title=title) for day, title in now.sessions]
    if args.session or args.no_sessions:
        sessions = [parse_session(text) for text in args.session or []]
    info = edit_cohort(
        store,
        now.name,
        starts_on=now.starts_on if args.starts is None else read_day("--starts", args.starts),
        ends_on=now.ends_on if args.ends is None else read_day("--ends", args.ends),
        sessions=sessions,
    )
    print(f"Saved cohort {info.name} ({info.dates}, {counted(len(info.sessions), 'workshop session')})")
    return 0


def cmd_cohorts_list(args: argparse.Namespace) -> int:
    from workbook.facilitator.cohorts import list_cohorts

    cohorts = list_cohorts(_store())
    if args.json:
        print(json.dumps([_cohort_json(info) for info in cohorts]))
        return 0
    for info in cohorts:
        print(f"{info.name}\t{info.dates}\t{counted(len(info.sessions), 'session')}")
    return 0


def _cohort_json(info) -> dict:
    return {
        "name": info.name,
        "starts_on": info.starts_on.isoformat() if info.starts_on else None,
        "ends_on": info.ends_on.isoformat() if info.ends_on else None,
        "sessions": [{"date": day.isoformat(), "title": title} for day, title in info.sessions],
    }


def cmd_cohorts_show(args: argparse.Namespace) -> int:
    from workbook.facilitator.cohorts import cohort_info
    from workbook.facilitator.people import members
    from workbook.manager.waves import open_waves

    store = _store()
    info = cohort_info(store, args.name)
    people = members(store, info.name)
    if args.json:
        print(
            json.dumps(
                {
                    **_cohort_json(info),
                    "people": [
                        {
                            "participant": m.pid,
                            "name": m.name,
                            "email": m.email,
                            "roles": list(m.roles),
                            "live_code": m.live_code,
                            "signed_in": m.signed_in,
                        }
                        for m in people
                    ],
                }
            )
        )
        return 0
    print(f"{info.name}: {info.dates}")
    for day, title in info.sessions:
        print(f"  session {day.isoformat()}: {title}")
    waves = open_waves(store, info.name)
    print("Waves: " + ", ".join(f"{w} {'open' if o else 'closed'}" for w, o in waves.items()))
    print(f"{len(people)} people ({sum(m.live_code for m in people)} with a live link):")
    for m in people:
        link = "live link" if m.live_code else "no link yet"
        print(f"  {m.pid}\t{m.name}\t{m.email or ''}\t{','.join(m.roles)}\t{link}")
    return 0


def cmd_roster_import(args: argparse.Namespace) -> int:
    from workbook.facilitator.people import OPERATOR
    from workbook.facilitator.roster import import_roster

    summary = import_roster(
        _store(), args.file, args.cohort, by=OPERATOR, progress=True if args.progress else None
    )
    print(summary.describe())
    return 0


def cmd_handouts(args: argparse.Namespace) -> int:
    from workbook.facilitator.handouts import cards_pdf, hand_out, links_csv
    from workbook.facilitator.people import OPERATOR

    out = Path(args.out)
    if out.suffix.lower() != ".pdf":
        _refuse(f"--out {args.out}: the cards are a PDF; give a file name ending in .pdf")
    store = _store()
    batch = hand_out(store, args.cohort, by=OPERATOR, reissue=args.reissue)
    out.write_bytes(cards_pdf(batch))
    print(batch.describe())
    print(f"Wrote {counted(len(batch.handouts), 'card')} to {out}")
    if args.csv:
        Path(args.csv).write_text(links_csv(batch.handouts), encoding="utf-8")
        print(f"Wrote the mail-merge list (name, email, link) to {args.csv}")
    if batch.handouts:
        print("The links are in these files only: keep them safe, and hand each one to its person.")
    return 0


def cmd_lessons_export(args: argparse.Namespace) -> int:
    from workbook.facilitator.lesson_handouts import HTML_NAME, PDF_NAME, handouts_html, handouts_pdf

    out = Path(args.out)
    if out.exists() and not out.is_dir():
        _refuse(f"--out {args.out}: give a folder (the handouts are two files)")
    out.mkdir(parents=True, exist_ok=True)
    (out / PDF_NAME).write_bytes(handouts_pdf())
    (out / HTML_NAME).write_text(handouts_html(), encoding="utf-8")
    print(f"Wrote the lesson handouts to {out / PDF_NAME} and {out / HTML_NAME}")
    return 0


def add_commands(verbs: argparse._SubParsersAction) -> None:
    """The facilitator's verbs on the `workbook` command's parser."""
    cohorts = verbs.add_parser("cohorts", help="add, list or show cohorts (dates, workshop sessions, people)")
    coverbs = cohorts.add_subparsers(dest="action", required=True)
    cadd = coverbs.add_parser("add", help="add a cohort with its dates and workshop sessions")
    cadd.add_argument("name")
    cadd.add_argument("--starts", metavar="DATE", help="first day, e.g. 2027-01-11")
    cadd.add_argument("--ends", metavar="DATE", help="last day")
    cadd.add_argument(
        "--session", action="append", metavar="DATE:TITLE", help="a workshop session; repeatable"
    )
    cadd.set_defaults(handler=cmd_cohorts_add)
    cedit = coverbs.add_parser("edit", help="change a cohort's dates or replace its workshop sessions")
    cedit.add_argument("name")
    cedit.add_argument("--starts", metavar="DATE", help='first day ("" to clear)')
    cedit.add_argument("--ends", metavar="DATE", help='last day ("" to clear)')
    cedit.add_argument(
        "--session",
        action="append",
        metavar="DATE:TITLE",
        help="a workshop session; repeatable; replaces all",
    )
    cedit.add_argument("--no-sessions", action="store_true", help="remove every workshop session")
    cedit.set_defaults(handler=cmd_cohorts_edit)
    clist = coverbs.add_parser("list", help="every cohort with its dates")
    clist.add_argument("--json", action="store_true")
    clist.set_defaults(handler=cmd_cohorts_list)
    cshow = coverbs.add_parser("show", help="a cohort's dates, sessions, waves and people (never codes)")
    cshow.add_argument("name")
    cshow.add_argument("--json", action="store_true")
    cshow.set_defaults(handler=cmd_cohorts_show)

    roster = verbs.add_parser("roster", help="import a cohort's people from CSV")
    rverbs = roster.add_subparsers(dest="action", required=True)
    rimport = rverbs.add_parser(
        "import",
        help="check a roster CSV (name,email,role[,manager_email][,hub_user]) and import every row or none",
    )
    rimport.add_argument("file")
    rimport.add_argument("--cohort", required=True, help="the cohort (created if new)")
    rimport.add_argument(
        "--progress", action="store_true", help="show a progress bar on stderr even when it is not a terminal"
    )
    rimport.set_defaults(handler=cmd_roster_import)

    handouts = verbs.add_parser(
        "handouts", help="personal links for a cohort as printable cards (PDF) and a mail-merge CSV"
    )
    handouts.add_argument("--cohort", required=True)
    handouts.add_argument("--out", required=True, metavar="CARDS.pdf")
    handouts.add_argument("--csv", metavar="LINKS.csv", help="also write name,email,link for a mail merge")
    handouts.add_argument(
        "--reissue",
        action="store_true",
        help="new links for everyone: old links stop working and open pages are signed out",
    )
    handouts.set_defaults(handler=cmd_handouts)

    lessons_parser = verbs.add_parser("lessons", help="the lessons as printable handouts")
    lverbs = lessons_parser.add_subparsers(dest="action", required=True)
    lexport = lverbs.add_parser("export", help="write every lesson as a PDF to print and an HTML page")
    lexport.add_argument("--out", required=True, metavar="DIR", help="the folder to write them to")
    lexport.set_defaults(handler=cmd_lessons_export)
