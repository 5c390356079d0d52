"""The `workbook` command: one verb per task (serve, demo, participants, content, exports, purge; a
facilitator's cohorts, rosters, handouts and lessons in :mod:`workbook.facilitator.commands`; the
operator's lab, migrate, backup and restore in :mod:`workbook.operator_commands`)."""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections.abc import Callable, Sequence
from pathlib import Path

from workbook import config

Handler = Callable[[argparse.Namespace], int]


def _store():
    from workbook.store import Store

    return Store()


def _fail(message: str) -> int:
    print(f"workbook: {message}", file=sys.stderr)
    return 2


# -- serve -------------------------------------------------------------------------------------------
def cmd_serve(args: argparse.Namespace) -> int:
    from workbook.apps.registry import NOTEBOOKS, available_apps

    key = config.evaluator_key()
    if key is not None:
        config.check_evaluator_key(key)  # a weak shared key is refused before anything starts
    config.retention_days()  # so is a retention the privacy page could not state
    if config.hub_user() is not None:
        return _fail(
            "JUPYTERHUB_USER is set, but workbook serve serves everyone from one server: it would open "
            "every page as that user. Unset it, or run the apps in each person's own single-user server "
            "under JupyterHub."
        )
    from workbook.store_in_use import hold_store_for_apps

    hold_store_for_apps()  # until this process ends: `workbook restore` refuses meanwhile
    _store().close()  # create or upgrade the store before any kernel starts
    from workbook.content.publish import ensure_published

    if ensure_published() is not None:
        print(f"Published the content of {config.content_dir()} (the first start)")
    base = f"http://{args.host}:{args.port}"
    os.environ.setdefault("WORKBOOK_BASE_URL", base)
    print(f"Career conversations workbook: {base}/voila/render/index.ipynb")
    for app in available_apps():
        print(f"  {app.audience:<36} {base}{app.path}")
    print(f"Store: {config.database_url()}", flush=True)
    # Voila runs in this process with the workbook's guards installed (workbook.server): the kernel
    # websocket, the kernel lifecycle and cap, assets from this server only. The working directory is
    # the repository, so its voila.json applies; a stop signal shuts the kernels down.
    from workbook.server.app import serve

    os.chdir(config.REPO_ROOT)
    serve(
        [
            str(NOTEBOOKS),
            "--no-browser",
            f"--Voila.ip={args.host}",
            f"--Voila.port={args.port}",
            "--Voila.port_retries=0",
            *args.voila_options,
        ]
    )
    return 0


# -- demo --------------------------------------------------------------------------------------------
def cmd_demo(args: argparse.Namespace) -> int:
    from workbook.demo import seed_all

    store = _store()
    summary = seed_all(store)
    for line in summary:
        print(line)
    return 0


# -- participants -----------------------------------------------------------------------------------
def cmd_participants_add(args: argparse.Namespace) -> int:
    from workbook import identity

    issued = identity.add_participant(
        _store(),
        args.name,
        email=args.email,
        cohort=args.cohort,
        manager_pid=args.manager,
        roles=args.role,
        allow_privileged=True,  # the command line is where facilitators and evaluators are made
        hub_user=args.hub_user,
    )
    roles = [str(r) for r in issued.person.roles]
    if args.json:
        print(
            json.dumps(
                {"participant": issued.person.pid, "roles": roles, "code": issued.code, "url": issued.url}
            )
        )
    else:
        print(f"Added {issued.person.name} as {issued.person.pid} ({', '.join(roles)})")
        print(f"Access code (shown once): {issued.code}")
        print(f"Personal link: {issued.url}")
    return 0


def cmd_participants_set_hub_user(args: argparse.Namespace) -> int:
    from workbook import identity

    if args.none == bool(args.hub_user):
        return _fail("give a hub user name, or --none to untie the participant from theirs")
    person = identity.set_hub_user(_store(), args.participant, None if args.none else args.hub_user)
    print(
        f"{person.pid} signs in on the hub as {args.hub_user}"
        if args.hub_user
        else f"{person.pid}: no hub user"
    )
    return 0


def cmd_participants_list(args: argparse.Namespace) -> int:
    from workbook import identity

    people = identity.list_participants(_store(), cohort=args.cohort)
    if args.json:
        print(
            json.dumps(
                [
                    {
                        "participant": p.pid,
                        "name": p.name,
                        "email": p.email,
                        "cohort": p.cohort,
                        "roles": [str(r) for r in p.roles],
                        "hub_user": p.hub_user,
                    }
                    for p in people
                ]
            )
        )
        return 0
    for p in people:
        roles = ",".join(str(r) for r in p.roles)
        hub = f"\thub:{p.hub_user}" if p.hub_user else ""
        print(f"{p.pid}\t{p.name}\t{p.email or ''}\t{p.cohort or ''}\t{roles}{hub}")
    return 0


def cmd_participants_grant(args: argparse.Namespace) -> int:
    from workbook import identity

    person = identity.grant_role(_store(), args.participant, args.role, allow_privileged=True)
    print(f"{person.pid} now holds: {', '.join(str(r) for r in person.roles)}")
    return 0


def cmd_participants_withdraw(args: argparse.Namespace) -> int:
    from workbook import identity

    person = identity.withdraw_role(_store(), args.participant, args.role)
    held = ", ".join(str(r) for r in person.roles) or "no role"
    print(f"{person.pid} now holds: {held}")
    return 0


def cmd_participants_set_manager(args: argparse.Namespace) -> int:
    from workbook.team.manager_change import set_manager

    if (args.manager is None) == (not args.none):
        return _fail("name the new manager (MANAGER_PID) or write --none to leave the person without one")
    done = set_manager(_store(), args.participant, None if args.none else args.manager)
    new = done.new_manager_pid or "nobody"
    if not done.changed:
        print(f"No change: {done.member_pid}'s manager is {new} already")
        return 0
    print(f"{done.member_pid}'s manager is now {new} (was {done.old_manager_pid or 'nobody'}), recorded")
    return 0


def cmd_participants_revoke(args: argparse.Namespace) -> int:
    from workbook import identity

    count = identity.revoke(_store(), args.participant)
    print(f"Revoked {count} access code(s) of {args.participant}")
    return 0


def cmd_participants_reissue(args: argparse.Namespace) -> int:
    from workbook import identity

    issued = identity.reissue(_store(), args.participant)
    if args.json:
        print(json.dumps({"participant": issued.person.pid, "code": issued.code, "url": issued.url}))
    else:
        print(f"New access code for {issued.person.pid} (shown once): {issued.code}")
        print(f"Personal link: {issued.url}")
    return 0


def cmd_participants_export(args: argparse.Namespace) -> int:
    from workbook import data_export, identity
    from workbook.data_rights import collect

    store = _store()
    data = collect(store, identity.find_participant(store, args.participant))
    out = Path(args.out)
    if not out.is_dir():
        return _fail(f"--out {out} is not a folder")
    for ext, render in (("pdf", data_export.render_pdf), ("json", data_export.render_json)):
        path = out / data_export.filename(data, ext)
        path.write_bytes(render(data))
        print(f"Wrote {path}")
    print(f"{data.row_count} saved entries of {args.participant}")
    return 0


def cmd_participants_delete(args: argparse.Namespace) -> int:
    from workbook import identity
    from workbook.data_rights import BY_COMMAND_LINE, count_person_data, delete_person_data
    from workbook.personal_data import kind_of

    store = _store()
    person = identity.find_participant(store, args.participant)
    if not args.yes:
        counts = {name: n for name, n in count_person_data(store, person.id).items() if n}
        print(f"Would delete {sum(counts.values())} saved entries of {person.pid}:")
        for name, count in counts.items():
            print(f"  {kind_of(name)}: {count}")
        print("Their account, access codes and roles stay. Run again with --yes to delete.")
        return 1
    removed = delete_person_data(store, person, by=BY_COMMAND_LINE)
    print(f"Deleted {removed.rows} saved entries of {person.pid}")
    for line in removed.lines():
        print(f"  {line}")
    return 0


def cmd_purge(args: argparse.Namespace) -> int:
    from workbook.data_rights import purge

    removed = purge(_store(), args.days, dry_run=args.dry_run, progress=True if args.progress else None)
    assert removed.cutoff is not None
    verb = "Would remove" if removed.dry_run else "Removed"
    print(f"{verb} {removed.rows} saved entries older than {removed.cutoff.isoformat(timespec='seconds')}")
    for line in removed.lines():
        print(f"  {line}")
    return 0


# -- content -----------------------------------------------------------------------------------------
def cmd_content_check(args: argparse.Namespace) -> int:
    from workbook.content import check_all, content_files, content_warnings

    folder = Path(args.folder) if args.folder else None
    problems = check_all(folder)
    for problem in problems:
        print(problem, file=sys.stderr)
    if problems:
        return 1
    for warning in content_warnings(folder):
        print(f"Warning: {warning}", file=sys.stderr)
    print(f"Content OK: {', '.join(content_files())} in {folder or config.content_dir()}")
    if folder is None:
        from workbook.content.publish import draft_changes

        waiting = draft_changes()
        if waiting:
            print(f"Not published yet (the apps show the last publication): {', '.join(waiting)}")
            print("Publish with: workbook content publish")
    return 0


def cmd_content_publish(_args: argparse.Namespace) -> int:
    from workbook.content.publish import publish

    done = publish()
    what = ", ".join(done.changed) if done.changed else "no file changed"
    print(f"Published {config.content_dir()} to {config.published_content_dir()} ({what}).")
    print("Open pages show it when they are next opened.")
    return 0


# -- exports -----------------------------------------------------------------------------------------
def cmd_export_idp(args: argparse.Namespace) -> int:
    from workbook import content, identity, idp
    from workbook.preparation import load_plan

    store = _store()
    person = identity.find_participant(store, args.participant)
    plan = load_plan(store, content.preparation(), person)
    out = Path(args.out)
    if out.is_dir():
        out = out / idp.filename(plan, args.format)
    out.write_bytes(idp.render(plan, args.format))
    print(f"Wrote {out}")
    return 0


def cmd_scores_export(args: argparse.Namespace) -> int:
    from workbook.manager.scores import export_scores_csv

    rows = export_scores_csv(_store(), args.out, cohort=args.cohort)
    print(f"Wrote {rows} score rows to {args.out}")
    return 0


def cmd_scores_import(args: argparse.Namespace) -> int:
    from workbook.manager.scores import import_scores_csv

    rows = import_scores_csv(_store(), args.file, progress=True if args.progress else None)
    print(f"Imported {rows} score rows from {args.file}")
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="workbook", description=__doc__)
    verbs = parser.add_subparsers(dest="verb", required=True)

    serve = verbs.add_parser("serve", help="start the apps (Voila) on this machine")
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=int, default=8866)
    serve.add_argument(
        "voila_options",
        nargs="*",
        metavar="-- VOILA_OPTION",
        help="Voila options after `--`, e.g. -- --VoilaExecutor.timeout=300 (voila.json holds the defaults)",
    )
    serve.set_defaults(handler=cmd_serve)

    demo = verbs.add_parser("demo", help="seed synthetic demo content (idempotent) and print demo links")
    demo.set_defaults(handler=cmd_demo)

    participants = verbs.add_parser(
        "participants", help="add, list, grant or withdraw roles, revoke or reissue codes"
    )
    pverbs = participants.add_subparsers(dest="action", required=True)
    add = pverbs.add_parser("add", help="add a participant and print their access code and link")
    add.add_argument("--name", required=True)
    add.add_argument("--email")
    add.add_argument("--cohort", help="their cohort (alone, the same as --role manager:COHORT)")
    add.add_argument("--manager", help="participant id of their manager")
    add.add_argument(
        "--role",
        action="append",
        metavar="ROLE[:COHORT]",
        help="team_member (the default), manager[:COHORT], facilitator:COHORT or evaluator; repeatable",
    )
    add.add_argument("--hub-user", help="their user name on the organisation's JupyterHub (sign-in there)")
    add.add_argument("--json", action="store_true")
    add.set_defaults(handler=cmd_participants_add)
    hub = pverbs.add_parser("set-hub-user", help="tie a participant to their JupyterHub user name")
    hub.add_argument("participant")
    hub.add_argument("hub_user", nargs="?", help="the hub user name (leave out with --none)")
    hub.add_argument("--none", action="store_true", help="untie them from any hub user")
    hub.set_defaults(handler=cmd_participants_set_hub_user)
    lst = pverbs.add_parser("list", help="list participants (never their codes)")
    lst.add_argument("--cohort")
    lst.add_argument("--json", action="store_true")
    lst.set_defaults(handler=cmd_participants_list)
    for verb, handler, text in (
        ("grant", cmd_participants_grant, "give a participant a role"),
        ("withdraw", cmd_participants_withdraw, "withdraw a role from a participant (kept in the history)"),
    ):
        role_parser = pverbs.add_parser(verb, help=text)
        role_parser.add_argument("participant")
        role_parser.add_argument("role", metavar="ROLE[:COHORT]")
        role_parser.set_defaults(handler=handler)
    setm = pverbs.add_parser(
        "set-manager",
        help="change a team member's manager (recorded); the new manager sees what they share with their "
        "manager from now on, the old one no longer does",
    )
    setm.add_argument("participant", help="the team member's id")
    setm.add_argument("manager", nargs="?", help="the new manager's id (a person with a manager role)")
    setm.add_argument("--none", action="store_true", help="leave the team member without a manager")
    setm.set_defaults(handler=cmd_participants_set_manager)
    rev = pverbs.add_parser("revoke", help="withdraw every access code of a participant")
    rev.add_argument("participant")
    rev.set_defaults(handler=cmd_participants_revoke)
    rei = pverbs.add_parser("reissue", help="withdraw old codes and issue a new one")
    rei.add_argument("participant")
    rei.add_argument("--json", action="store_true")
    rei.set_defaults(handler=cmd_participants_reissue)
    pexport = pverbs.add_parser(
        "export", help="write everything a participant wrote, as PDF and JSON, into a folder"
    )
    pexport.add_argument("participant")
    pexport.add_argument("--out", required=True, help="an existing folder")
    pexport.set_defaults(handler=cmd_participants_export)
    pdelete = pverbs.add_parser(
        "delete", help="delete everything a participant wrote (shows what would go without --yes)"
    )
    pdelete.add_argument("participant")
    pdelete.add_argument("--yes", action="store_true", help="really delete")
    pdelete.set_defaults(handler=cmd_participants_delete)

    purge = verbs.add_parser(
        "purge", help="remove saved data older than WORKBOOK_RETENTION_DAYS (or --days); recorded"
    )
    purge.add_argument("--days", type=int, help="keep this many days instead of the setting")
    purge.add_argument("--dry-run", action="store_true", help="print what would go, change nothing")
    purge.add_argument(
        "--progress", action="store_true", help="show a progress bar on stderr even when it is not a terminal"
    )
    purge.set_defaults(handler=cmd_purge)

    content_parser = verbs.add_parser("content", help="check the content files")
    cverbs = content_parser.add_subparsers(dest="action", required=True)
    publish = cverbs.add_parser(
        "publish", help="check the content folder and make it what the apps show (all files or none)"
    )
    publish.set_defaults(handler=cmd_content_publish)
    check = cverbs.add_parser("check", help="validate every content file")
    check.add_argument("--folder", help="content folder (default: WORKBOOK_CONTENT_DIR or data/)")
    check.set_defaults(handler=cmd_content_check)

    export = verbs.add_parser("export-idp", help="write a participant's development plan")
    export.add_argument("participant")
    export.add_argument("--format", choices=("docx", "pdf", "md"), default="docx")
    export.add_argument("--out", required=True)
    export.set_defaults(handler=cmd_export_idp)

    scores = verbs.add_parser("scores", help="export or import comfort and skill scores (long-format CSV)")
    sverbs = scores.add_subparsers(dest="action", required=True)
    sexport = sverbs.add_parser("export", help="write the latest scores as CSV (pseudonymous ids, no names)")
    sexport.add_argument("--out", required=True)
    sexport.add_argument("--cohort")
    sexport.set_defaults(handler=cmd_scores_export)
    simport = sverbs.add_parser("import", help="check a scores CSV and import all of its rows or none")
    simport.add_argument("file")
    simport.add_argument(
        "--progress", action="store_true", help="show a progress bar on stderr even when it is not a terminal"
    )
    simport.set_defaults(handler=cmd_scores_import)

    from workbook.manager.wave_commands import add_commands as add_wave_commands

    add_wave_commands(verbs)  # waves: open, close, show, in the order of manager.waves

    from workbook.facilitator.commands import add_commands

    add_commands(verbs)  # cohorts, roster, handouts, lessons: what a facilitator scripts

    from workbook.operator_commands import add_commands as add_operator_commands

    add_operator_commands(verbs)  # lab, migrate, backup, restore: running the workbook

    verbs.add_parser("evaluate", help="before-and-after analysis of the scores (workbook evaluate --help)")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    from workbook.content import ContentError
    from workbook.scores_frame import ScoresInputError
    from workbook.store import StoreError
    from workbook.validation import InputError

    argv = list(sys.argv[1:] if argv is None else argv)
    if argv[:1] == ["evaluate"]:  # its own parser, with its own options and help
        from workbook.evaluation.command import main as evaluate_main

        return evaluate_main(argv[1:])
    args = build_parser().parse_args(argv)
    try:
        return args.handler(args)
    except (StoreError, ContentError, InputError, ScoresInputError, config.ConfigError) as exc:
        return _fail(str(exc))


if __name__ == "__main__":
    raise SystemExit(main())
