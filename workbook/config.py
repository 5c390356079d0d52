"""Settings read from the environment, in one place.

Every setting has a safe default so that a workshop laptop needs no configuration:
an SQLite file in the user's data directory, the repository's `data/` content and an
anonymity threshold of 5.
"""

from __future__ import annotations

import numbers
import os
import re
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import platformdirs

APP_NAME = "career-workbook"
REPO_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_THRESHOLD = 5
MIN_THRESHOLD = 3


class ConfigError(ValueError):
    """A setting in the environment has a value we cannot use."""


def data_dir() -> Path:
    """Folder for the default database and exports, outside the repository and the served tree."""
    override = os.environ.get("WORKBOOK_DATA_DIR")
    path = Path(override) if override else Path(platformdirs.user_data_dir(APP_NAME))
    path.mkdir(parents=True, exist_ok=True)
    return path


def database_url() -> str:
    """SQLAlchemy URL of the store: `WORKBOOK_DATABASE_URL`, or an SQLite file in `data_dir()`."""
    url = os.environ.get("WORKBOOK_DATABASE_URL", "").strip()
    if url:
        return url
    return f"sqlite:///{data_dir() / 'workbook.sqlite'}"


def content_dir() -> Path:
    """Folder of the YAML content as authors edit it (lessons, prompts, scales): `WORKBOOK_CONTENT_DIR` or
    `data/`. The apps read the published copy (`published_content_dir`) once there is one."""
    override = os.environ.get("WORKBOOK_CONTENT_DIR", "").strip()
    path = Path(override) if override else REPO_ROOT / "data"
    if not path.is_dir():
        raise ConfigError(f"WORKBOOK_CONTENT_DIR: {path} is not a folder")
    return path


def published_content_dir() -> Path:
    """Where `workbook content publish` puts the content the apps read: `WORKBOOK_PUBLISHED_CONTENT_DIR`,
    or `content` in `data_dir()` (several servers sharing one store should share this folder too)."""
    override = os.environ.get("WORKBOOK_PUBLISHED_CONTENT_DIR", "").strip()
    return Path(override) if override else data_dir() / "content"


def hub_user() -> str | None:
    """The visitor's JupyterHub user name, when the apps run in that person's own single-user server
    (the hub's spawner sets `JUPYTERHUB_USER` and `JUPYTERHUB_API_TOKEN` for it); None otherwise. Never
    honoured by `workbook serve`, whose one server serves everyone (it refuses to start with it set)."""
    user = os.environ.get("JUPYTERHUB_USER", "").strip()
    return user if user and os.environ.get("JUPYTERHUB_API_TOKEN") else None


AUTHOR_SERVER_ENV = "WORKBOOK_AUTHOR_SERVER"


def author_server() -> bool:
    """Whether this is a content author's JupyterLab under JupyterHub (the hub's spawner sets
    `WORKBOOK_AUTHOR_SERVER=1` on the `author` server, which only members of content-authors can start, and
    gives it none of the store's settings): the content preview opens there without the store."""
    return os.environ.get(AUTHOR_SERVER_ENV, "") == "1" and hub_user() is not None


def anonymity_threshold() -> int:
    """Smallest group an evaluator may see; `WORKBOOK_ANONYMITY_THRESHOLD`, never below 3."""
    raw = os.environ.get("WORKBOOK_ANONYMITY_THRESHOLD", "").strip()
    if not raw:
        return DEFAULT_THRESHOLD
    try:
        value = int(raw)
    except ValueError as exc:
        raise ConfigError(f"WORKBOOK_ANONYMITY_THRESHOLD must be a whole number, got {raw!r}") from exc
    return check_threshold(value)


def check_threshold(value: object) -> int:
    """The anonymity threshold as an int; below 3 is refused, because a group of 1 or 2 is a person."""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, bool) or not isinstance(value, int | numbers.Integral):
        raise ConfigError(f"anonymity threshold must be a whole number, got {value!r}")
    if value < MIN_THRESHOLD:
        raise ConfigError(f"anonymity threshold must be at least {MIN_THRESHOLD}, got {value}")
    return int(value)


def public_base_url() -> str:
    """Base URL that personal links point at (the address participants reach `workbook serve` on)."""
    return os.environ.get("WORKBOOK_BASE_URL", "http://localhost:8866").rstrip("/")


def evaluator_key() -> str | None:
    """The evaluator app's secret key (`WORKBOOK_EVALUATOR_KEY`), or None when unset or empty."""
    return os.environ.get("WORKBOOK_EVALUATOR_KEY", "").strip() or None


def trusted_proxy() -> bool:
    """Whether a reverse proxy we trust sets X-Forwarded-For (`WORKBOOK_TRUSTED_PROXY`); only then is
    that header believed, since a visitor can send it themselves."""
    return os.environ.get("WORKBOOK_TRUSTED_PROXY", "").strip().lower() not in ("", "0", "false", "no")


EVALUATOR_KEY_MIN = 22  # 22 characters of base64url carry 132 bits: no dictionary reaches that
MAKE_KEY_COMMAND = "python -c 'import secrets; print(secrets.token_urlsafe(24))'"


def check_evaluator_key(key: str) -> str:
    """The shared evaluator key if it is strong enough, or ConfigError saying how to make a good one.

    Only random-looking keys are accepted (at least 22 characters, all from A-Z a-z 0-9 _ -), so a
    passphrase, which a dictionary would find, is refused when the server starts."""
    if len(key) < EVALUATOR_KEY_MIN or not re.fullmatch(r"[A-Za-z0-9_-]+", key):
        raise ConfigError(
            f"WORKBOOK_EVALUATOR_KEY must be at least {EVALUATOR_KEY_MIN} characters, each a letter, a "
            f"digit, '_' or '-' (a random key, not a phrase); make one with: {MAKE_KEY_COMMAND}"
        )
    return key


# -- serving a cohort ----------------------------------------------------------------------------------
DEFAULT_MAX_KERNELS = 120  # sized for a 2-core / 24 GB server (about 160 MB per page on average)
DEFAULT_PAGE_GONE_S = 120.0  # a page whose kernel websocket stays closed this long is gone
DEFAULT_IDLE_CLOSE_S = 3600.0  # an open page without activity is closed after an hour
DEFAULT_SIGNIN_CLOSE_S = 180.0  # a page on which nobody signed in is closed after three minutes
# pages opened from one address within ten minutes on which nobody signed in: a room of 30 behind one
# address (a company network, a proxy) opening two or three pages each passes
DEFAULT_UNSIGNED_PAGES_PER_ADDRESS = 180


def _positive(name: str, default: float, kind: type = float) -> float:
    raw = os.environ.get(name, "").strip()
    if not raw:
        return default
    try:
        value = kind(raw)
    except ValueError as exc:
        what = "a whole number" if kind is int else "a number of seconds"
        raise ConfigError(f"{name} must be {what}, got {raw!r}") from exc
    if value <= 0:
        raise ConfigError(f"{name} must be greater than 0, got {raw!r}")
    return value


def max_kernels() -> int:
    """Most kernels the server runs at once (`WORKBOOK_MAX_KERNELS`); beyond it visitors get a busy page."""
    return int(_positive("WORKBOOK_MAX_KERNELS", DEFAULT_MAX_KERNELS, int))


def page_gone_after() -> float:
    """Seconds a page's kernel websocket may stay closed (or never open) before its kernel is shut down
    (`WORKBOOK_PAGE_GONE_SECONDS`)."""
    return _positive("WORKBOOK_PAGE_GONE_SECONDS", DEFAULT_PAGE_GONE_S)


def idle_close_after() -> float:
    """Seconds an open page may go without activity before it is saved and closed
    (`WORKBOOK_IDLE_CLOSE_SECONDS`)."""
    return _positive("WORKBOOK_IDLE_CLOSE_SECONDS", DEFAULT_IDLE_CLOSE_S)


def signin_close_after() -> float:
    """Seconds a page on which nobody signed in stays open (`WORKBOOK_SIGNIN_CLOSE_SECONDS`); it says so
    a minute before."""
    return _positive("WORKBOOK_SIGNIN_CLOSE_SECONDS", DEFAULT_SIGNIN_CLOSE_S)


def unsigned_pages_per_address() -> int:
    """Most pages one address may open within ten minutes on which nobody signs in
    (`WORKBOOK_UNSIGNED_PAGES_PER_ADDRESS`); beyond it the address gets HTTP 429 and no kernel."""
    return int(_positive("WORKBOOK_UNSIGNED_PAGES_PER_ADDRESS", DEFAULT_UNSIGNED_PAGES_PER_ADDRESS, int))


def default_time_zone() -> ZoneInfo:
    """The time zone of times shown to a visitor whose browser does not say theirs
    (`WORKBOOK_TIME_ZONE`, an IANA name such as Europe/Lisbon; UTC when unset)."""
    name = os.environ.get("WORKBOOK_TIME_ZONE", "").strip() or "UTC"
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise ConfigError(
            f"WORKBOOK_TIME_ZONE: {name!r} is not a time zone name (write it like Europe/Lisbon or UTC)"
        ) from None


DEFAULT_SESSION_HOURS = 12.0  # a workshop day


def session_hours() -> float:
    """Hours a visit's sign-in carries over reloads and links between apps without the code in the
    address (`WORKBOOK_SESSION_HOURS`); the code itself still opens the next visit."""
    return _positive("WORKBOOK_SESSION_HOURS", DEFAULT_SESSION_HOURS)


def session_secret_file() -> Path:
    """The file of the server secret that signs sign-in session cookies (`WORKBOOK_SESSION_SECRET_FILE`,
    else `session-secret` in `data_dir()`: outside the served tree); made on first use, readable by the
    server's user only. Servers that share a store behind one address share this file too."""
    override = os.environ.get("WORKBOOK_SESSION_SECRET_FILE", "").strip()
    return Path(override) if override else data_dir() / "session-secret"


# -- keeping people's data -----------------------------------------------------------------------------
def retention_days() -> int | None:
    """How many days people's saved data is kept (`WORKBOOK_RETENTION_DAYS`); None (unset, empty or "off")
    keeps it until they delete it. `workbook purge` removes what is older."""
    raw = os.environ.get("WORKBOOK_RETENTION_DAYS", "").strip()
    if not raw or raw.lower() == "off":
        return None
    try:
        value = int(raw)
    except ValueError:
        raise ConfigError(
            f"WORKBOOK_RETENTION_DAYS must be a whole number of days (or off), got {raw!r}"
        ) from None
    if value < 1:
        raise ConfigError(f"WORKBOOK_RETENTION_DAYS must be at least 1 day (or off), got {raw!r}")
    return value


def check_retention_days(value: int) -> int:
    """A retention of at least one day; ConfigError otherwise."""
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise ConfigError(f"retention must be a whole number of days, at least 1, got {value!r}")
    return value


DEFAULT_PRIVACY_CONTACT = "your programme facilitator"


def privacy_contact() -> str:
    """Who people ask about their data, as the privacy page names them (`WORKBOOK_PRIVACY_CONTACT`,
    e.g. "the HR data team, privacy@example.org"); shown as text, never as markup."""
    return os.environ.get("WORKBOOK_PRIVACY_CONTACT", "").strip() or DEFAULT_PRIVACY_CONTACT
