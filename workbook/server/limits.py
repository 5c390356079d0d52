"""What one visitor may take from the server: pages opened without a sign-in, per address, and widget
messages, per page.

- **Pages nobody signed in on, per address** (`UnsignedPages`): every page opened from an address is
  noted; a page that signs in is struck out. Beyond ``config.unsigned_pages_per_address()`` of them
  within `UNSIGNED_WINDOW`, the address gets HTTP 429 and no kernel until the oldest falls out of the
  window. Addresses are read by the sign-in limits' rule (``signin_guard.address_from``) and kept only
  as keyed hashes.
- **Widget messages, per page** (`MessageAllowance`): a token bucket of `MESSAGE_BURST` messages,
  refilled at `MESSAGES_PER_SECOND`, shared by the connections of one kernel (a second connection buys
  no more); the message that finds it empty closes its connection.

Measured normal use (``benchmarks/bench_flood.py``, headless Chromium on a 2-core machine): typing
200 keys at 25 ms a key sends at most 21 frames in any one second (122 in ten seconds), typing with no
delay between keys 9 in all, and four sweeps of a slider drag (400 mouse moves) 21 in one second and
126 in ten. ipywidgets' front-end sends at most one update per widget and per kernel round trip
(changes made meanwhile are merged into the next), so even a fast machine stays near the screen's
60 frames a second. The limit is a multiple of that: 100 a second with a reserve of 500.
"""

from __future__ import annotations

import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field

UNSIGNED_WINDOW_S = 600.0  # ten minutes, as the sign-in lockout's window
MESSAGES_PER_SECOND = 100.0
MESSAGE_BURST = 500.0


@dataclass
class UnsignedPages:
    """Pages opened per address that have not signed in, within the last `window` seconds."""

    limit: int
    window: float = UNSIGNED_WINDOW_S
    clock: Callable[[], float] = time.monotonic
    _opened: dict[str, deque[tuple[float, str]]] = field(default_factory=dict)
    _address_of: dict[str, str] = field(default_factory=dict)  # kernel id -> address key

    def _prune(self, key: str, now: float) -> deque[tuple[float, str]]:
        pages = self._opened.get(key, deque())
        while pages and now - pages[0][0] >= self.window:
            _opened_at, kernel_id = pages.popleft()
            self._address_of.pop(kernel_id, None)
        if not pages:
            self._opened.pop(key, None)
        return pages

    def wait(self, key: str) -> float | None:
        """Seconds the address must wait before it may open another page, or None if it may now."""
        now = self.clock()
        pages = self._prune(key, now)
        if len(pages) < self.limit:
            return None
        return max(1.0, self.window - (now - pages[len(pages) - self.limit][0]))

    def opened(self, key: str, kernel_id: str) -> None:
        """A page of this address got a kernel."""
        self._opened.setdefault(key, deque()).append((self.clock(), kernel_id))
        self._address_of[kernel_id] = key

    def signed_in(self, kernel_id: str) -> None:
        """The page signed in: it no longer counts against its address."""
        key = self._address_of.pop(kernel_id, None)
        if key is None:
            return
        pages = self._opened.get(key)
        if pages:
            kept = deque(entry for entry in pages if entry[1] != kernel_id)
            if kept:
                self._opened[key] = kept
            else:
                self._opened.pop(key, None)

    def prune_all(self) -> None:
        """Forget what fell out of the window, for every address (kept small between visits)."""
        now = self.clock()
        for key in list(self._opened):
            self._prune(key, now)


def wait_sentence(seconds: float) -> str:
    minutes = max(1, -(-int(seconds) // 60))
    return (
        "Too many pages were opened from your network without anyone signing in. Please wait "
        f"{minutes} minute{'s' if minutes != 1 else ''} and try again, or open the personal link "
        "from your invitation."
    )


@dataclass
class MessageAllowance:
    """The widget messages one page may still send now (a token bucket)."""

    rate: float = MESSAGES_PER_SECOND
    burst: float = MESSAGE_BURST
    clock: Callable[[], float] = time.monotonic
    tokens: float = field(init=False)
    _last: float | None = None

    def __post_init__(self) -> None:
        self.tokens = self.burst

    def take(self) -> bool:
        """Count one message; False once the page has sent more than its allowance."""
        now = self.clock()
        if self._last is not None:
            self.tokens = min(self.burst, self.tokens + (now - self._last) * self.rate)
        self._last = now
        if self.tokens < 1:
            return False
        self.tokens -= 1
        return True
