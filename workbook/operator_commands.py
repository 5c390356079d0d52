"""The operator's commands (`workbook lab|migrate|backup|restore`): running the workbook rather than the
programme. A bad value raises StoreError, which `workbook` prints and exits 2 on."""

from __future__ import annotations

import argparse
import os
from pathlib import Path

from workbook import config


def _store():
    from workbook.store import Store  # imported when a command runs: `workbook --help` stays quick

    return Store()


def cmd_lab(args: argparse.Namespace) -> int:
    """JupyterLab on the repository: the notebooks with the content folder (`data/`) beside them, for
    facilitators who read and adapt the lessons. Each app runs in it as in Voila (sign in with a code)."""
    from jupyterlab.labapp import LabApp

    from workbook.store_in_use import hold_store_for_apps

    hold_store_for_apps()  # the apps run in it: `workbook restore` refuses meanwhile
    _store().close()  # create or upgrade the store (SQLite) before a kernel starts
    os.chdir(config.REPO_ROOT)  # so the repository's jupyter_config.json applies, as for workbook serve
    LabApp.launch_instance(
        [
            f"--ServerApp.root_dir={config.REPO_ROOT}",
            f"--ServerApp.ip={args.host}",
            f"--ServerApp.port={args.port}",
            "--ServerApp.port_retries=0",
            "--ServerApp.open_browser=False",
            "--LabApp.default_url=/lab/tree/notebooks/index.ipynb",
            "--LabApp.news_url=None",  # nothing fetched from another host
            "--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate",
            "--LabApp.extension_manager=readonly",  # no extension search on a package index
            *args.lab_options,
        ]
    )
    return 0


def cmd_migrate(_args: argparse.Namespace) -> int:
    from workbook.backup import migrate

    print(migrate())
    return 0


def cmd_backup(args: argparse.Namespace) -> int:
    from workbook.backup import backup

    size = backup(args.out, overwrite=args.force)
    print(f"Wrote {args.out} ({size / 1_000_000:.1f} MB). Restore it with: workbook restore {args.out}")
    return 0


def cmd_restore(args: argparse.Namespace) -> int:
    from workbook.backup import restore

    print(restore(args.file, replace=args.replace))
    return 0


def add_commands(verbs: argparse._SubParsersAction) -> None:
    lab = verbs.add_parser("lab", help="open JupyterLab on the notebooks and the content (for facilitators)")
    lab.add_argument("--host", default="127.0.0.1")
    lab.add_argument("--port", type=int, default=8888)
    lab.add_argument("lab_options", nargs="*", metavar="-- LAB_OPTION", help="JupyterLab options after `--`")
    lab.set_defaults(handler=cmd_lab)

    migrate = verbs.add_parser(
        "migrate",
        help="upgrade the store's schema (run once after an upgrade; the apps on a database server never do)",
    )
    migrate.set_defaults(handler=cmd_migrate)
    backup = verbs.add_parser("backup", help="copy the SQLite store to a file while the apps run")
    backup.add_argument("--out", required=True, type=Path, help="the backup file to write")
    backup.add_argument("--force", action="store_true", help="replace the file if it exists")
    backup.set_defaults(handler=cmd_backup)
    restore = verbs.add_parser(
        "restore",
        help="put a checked backup in place of the store, keeping the old one beside it (stop the apps)",
    )
    restore.add_argument("file", type=Path)
    restore.add_argument("--replace", action="store_true", help="overwrite a store that already holds data")
    restore.set_defaults(handler=cmd_restore)
