"""`workbook waves open|close|show`: the same state machine as the facilitator's Waves tab
(`manager.waves`), for scripting. A refusal raises InputError, which `workbook` prints and exits 2 on."""

from __future__ import annotations

import argparse


def cmd_waves(args: argparse.Namespace) -> int:
    from workbook.manager.waves import open_waves, plan_switch, reopen_refusal, set_wave
    from workbook.store import Store
    from workbook.validation import InputError

    store = Store()
    if args.action in ("open", "close"):
        to_open = args.action == "open"
        reason = getattr(args, "reason", None)
        plan = plan_switch(store, args.cohort, args.wave, to_open)
        if plan.needs_reason and not (reason or "").strip():
            raise InputError(
                f"{reopen_refusal(args.wave, plan.passed_by or '')}: add --reason TEXT. Nothing changed."
            )
        changed = set_wave(store, args.cohort, args.wave, to_open, reason=reason)
        done = "opened" if to_open else "closed"
        print(f"{args.wave} {'is now' if changed else 'was already'} {done} for {args.cohort}")
        for closed in plan.closes if changed else ():
            print(f"{closed} closed with it: once {args.wave} has opened, {closed} takes no new answers")
        if changed and plan.needs_reason:
            print(f"answers to {args.wave} given from now on are marked late (the reason is recorded)")
    state = open_waves(store, args.cohort)
    print(", ".join(f"{wave}: {'open' if is_open else 'closed'}" for wave, is_open in state.items()))
    return 0


def add_commands(verbs: argparse._SubParsersAction) -> None:
    """`workbook waves`: its verbs, with the waves of the order as the choices."""
    from workbook.manager.waves import SWITCHED_WAVES

    waves = verbs.add_parser("waves", help="open, close or show the comfort check's waves for a cohort")
    wverbs = waves.add_subparsers(dest="action", required=True)
    for action in ("open", "close"):
        wave_parser = wverbs.add_parser(
            action,
            help=f"{action} a wave ({', '.join(SWITCHED_WAVES)}, in that order; then follows post)",
            description=(
                "The waves run in order: opening a wave closes the earlier ones, and a wave a later one "
                "has passed reopens only with --reason (its answers are then marked late)."
            ),
        )
        wave_parser.add_argument("cohort")
        wave_parser.add_argument("wave", choices=SWITCHED_WAVES)
        if action == "open":
            wave_parser.add_argument(
                "--reason", help="why a wave a later one has passed must take answers again (recorded)"
            )
        wave_parser.set_defaults(handler=cmd_waves)
    wshow = wverbs.add_parser("show", help="which waves are open")
    wshow.add_argument("cohort")
    wshow.set_defaults(handler=cmd_waves)
