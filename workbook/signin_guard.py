"""Limits on guessing: failed sign-ins are counted per page and per client address across pages.

After `FAILURE_LIMIT` failures within `WINDOW`, the page and the address wait `LOCKOUT` before they
may try again, and are told so. Failures are logged with the app and a keyed hash of the address,
never with the value that was guessed. The address counts across pages (each page is its own kernel)
through the store's `sign_in_failures` table, pruned as it is written.
"""

from __future__ import annotations

import hashlib
import logging
import os
from collections.abc import Sequence
from datetime import datetime, timedelta

from sqlalchemy import delete, select

from workbook import config
from workbook.models import SignInFailure
from workbook.store import Store, as_utc, utcnow

FAILURE_LIMIT = 5
WINDOW = timedelta(minutes=10)
LOCKOUT = timedelta(minutes=10)

log = logging.getLogger("workbook.signin")


def address_from(forwarded_for: str | None, direct: str | None) -> str | None:
    """The visitor's address: the first address of `X-Forwarded-For` when a trusted proxy sets it
    (`WORKBOOK_TRUSTED_PROXY`), else the address the server saw. The one rule for every limit per
    address (sign-in failures here, pages opened in `workbook.server.limits`)."""
    if config.trusted_proxy():
        forwarded = (forwarded_for or "").split(",")[0].strip()
        if forwarded:
            return forwarded
    return (direct or "").strip() or None


def client_address() -> str | None:
    """The visitor's address, inside a page's kernel: the server hands the address it saw in
    `HTTP_X_WORKBOOK_CLIENT` and the proxy's header in `HTTP_X_FORWARDED_FOR`."""
    return address_from(os.environ.get("HTTP_X_FORWARDED_FOR"), os.environ.get("HTTP_X_WORKBOOK_CLIENT"))


def client_key(address: str) -> str:
    """A stable pseudonym of an address, so the store never holds addresses themselves."""
    return hashlib.sha256(f"career-workbook sign-in:{address}".encode()).hexdigest()


def locked_until(failures: Sequence[datetime]) -> datetime | None:
    """When a lockout caused by these failure times ends: the end of `LOCKOUT` after the latest
    failure that completed `FAILURE_LIMIT` failures within `WINDOW`; None if there is none."""
    times = sorted(failures)
    end = None
    for i in range(FAILURE_LIMIT - 1, len(times)):
        if times[i] - times[i - FAILURE_LIMIT + 1] <= WINDOW:
            end = times[i] + LOCKOUT
    return end


class SignInGuard:
    """Counts one page's failed sign-ins and its address's, and says when they must wait."""

    def __init__(self, store: Store, app: str, address: str | None = None) -> None:
        self.store = store
        self.app = app
        self.address = address if address is not None else client_address()
        self.client = client_key(self.address) if self.address else None
        self.page_failures: list[datetime] = []

    def _address_failures(self, now: datetime) -> list[datetime]:
        if self.client is None:
            return []
        with self.store.read() as session:
            rows = session.scalars(
                select(SignInFailure.failed_at).where(
                    SignInFailure.client == self.client, SignInFailure.failed_at >= now - WINDOW - LOCKOUT
                )
            ).all()
        return [as_utc(moment) for moment in rows]

    def wait(self, now: datetime | None = None) -> timedelta | None:
        """How long this page must wait before another try, or None when it may try now."""
        now = now or utcnow()
        ends = [locked_until(self.page_failures), locked_until(self._address_failures(now))]
        latest = max((end for end in ends if end is not None), default=None)
        return latest - now if latest is not None and latest > now else None

    def failed(self, now: datetime | None = None) -> None:
        """Count a failure for the page and its address, and log it (without the guess)."""
        now = now or utcnow()
        self.page_failures.append(now)
        if self.client is not None:
            with self.store.write() as session:
                session.execute(delete(SignInFailure).where(SignInFailure.failed_at < now - WINDOW - LOCKOUT))
                session.add(SignInFailure(client=self.client, app=self.app, failed_at=now))
        log.warning(
            "sign-in failed: app=%s client=%s page_failures=%d",
            self.app,
            self.client[:12] if self.client else "unknown",
            len(self.page_failures),
        )


def wait_message(wait: timedelta) -> str:
    minutes = max(1, -(-int(wait.total_seconds()) // 60))
    return (
        f"Too many codes that did not work were tried from here. Please wait {minutes} minute"
        f"{'s' if minutes != 1 else ''} and try again, or ask your facilitator for your link."
    )
