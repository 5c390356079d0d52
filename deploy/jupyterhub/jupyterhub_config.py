# JupyterHub for the career-conversations workbook on one server (see README.md next to this file).
#
#   jupyterhub -f deploy/jupyterhub/jupyterhub_config.py
#
# Every person gets their own single-user server that serves the workbook's apps ONLY (no JupyterLab,
# no terminals, no files, no kernel that a page did not start): WORKBOOK_APPS_ONLY=1 and the project's
# jupyter_config.json (the same Voila settings and guards as `workbook serve`). Facilitators in the
# hub group `content-authors` may also start a second server named `author`: JupyterLab on the content
# drafts, with no store settings in its environment.
#
# The knobs below are environment variables, so one file serves a real hub, the tests and the benchmarks:
#   WORKBOOK_ROOT                 the project folder (notebooks/, data/, jupyter_config.json); default:
#                                 the folder two levels above this file
#   WORKBOOK_HUB_IP, WORKBOOK_HUB_PORT          where people reach the hub (127.0.0.1, 8000)
#   WORKBOOK_HUB_INTERNAL_PORT, WORKBOOK_HUB_PROXY_API_PORT   the hub's and the proxy's own ports (8081, 8001)
#   WORKBOOK_HUB_STATE_DIR        the hub's database and cookie secret (default: the current folder)
#   WORKBOOK_HUB_AUTHENTICATOR    JupyterHub's authenticator_class (default "pam": the server's accounts);
#                                 "dummy" with WORKBOOK_HUB_DUMMY_PASSWORD is for tests only
#   WORKBOOK_HUB_ALLOWED_USERS, WORKBOOK_HUB_ADMIN_USERS, WORKBOOK_HUB_AUTHORS   comma-separated hub user
#                                 names (WORKBOOK_HUB_AUTHORS: the members of content-authors)
#   WORKBOOK_HUB_ALLOW_ALL=1      let anyone the authenticator accepts in (people not tied to a workbook
#                                 see a page saying so)
#   WORKBOOK_HUB_SPAWNER          "localprocess" (default: each person's server runs as their own Unix
#                                 account) or "simple" (every server as the hub's user, home folders
#                                 under WORKBOOK_HUB_HOME_TEMPLATE, default {username} in the temporary
#                                 folder: tests only)
#   WORKBOOK_HUB_KERNELS_PER_PERSON   the kernel cap of one person's server (default 6 open pages)
#   WORKBOOK_HUB_PROXY_COMMAND    configurable-http-proxy (default: on PATH, else the one
#                                 scripts/ensure-hub.sh installs in tests/hub)
#   WORKBOOK_HUB_SINGLEUSER       the single-user command (default: jupyterhub-singleuser next to the
#                                 hub's Python)
#   WORKBOOK_HUB_HTTP_TIMEOUT, WORKBOOK_HUB_START_TIMEOUT   seconds the hub waits for a new server to
#                                 answer and to start (300 each: see the comment at c.Spawner.http_timeout)
#   WORKBOOK_HUB_CULL_IDLE_SECONDS    stop a server idle this long (default 3600; 0: never), when
#                                 jupyterhub-idle-culler is installed
#   WORKBOOK_HUB_EXTRA_CONFIG     a Python file of more settings read last (your authenticator's)
#   WORKBOOK_HUB_SPAWNER_ONLY=1   only the workbook's settings for the servers and the authors' group: the
#                                 hub, proxy, authenticator and spawner stay as the hub's own configuration
#                                 has them (The Littlest JupyterHub: see README.md)
# The workbook's own settings (WORKBOOK_DATABASE_URL, WORKBOOK_DATA_DIR, ...) are passed on from the hub's
# environment to the apps-only servers, never to the author server.

import os
import shlex
import shutil
import sys
import tempfile
from pathlib import Path

from tornado import web

c = get_config()  # noqa: F821 (JupyterHub's config loader provides it)

HERE = Path(__file__).resolve().parent
ROOT = Path(os.environ.get("WORKBOOK_ROOT") or HERE.parent.parent).resolve()

# -- what an apps-only server is (deploy/kubernetes/values.yaml names the same; a test compares them) --
APPS_ONLY_ENVIRONMENT = {
    "WORKBOOK_APPS_ONLY": "1",  # the workbook extension keeps the apps' routes only, guards strict
    "JUPYTERHUB_DISABLE_USER_CONFIG": "1",  # no ~/.jupyter config can re-open what is closed
}
APPS_ONLY_DEFAULT_URL = "/workbook/home"  # redirects to the person's home app
STORE_SETTINGS = ["WORKBOOK_DATABASE_URL", "WORKBOOK_DATA_DIR", "WORKBOOK_PUBLISHED_CONTENT_DIR"]
SECRET_SETTINGS = [*STORE_SETTINGS, "WORKBOOK_EVALUATOR_KEY"]
AUTHOR_SERVER = "author"
AUTHORS_GROUP = "content-authors"
AUTHOR_DEFAULT_URL = "/lab/tree/data"


# The server extensions of an apps-only server: Voila and the workbook's guards, and none of what JupyterLab
# installs beside them (their routes would be dropped anyway; loading them costs each server's start about
# a CPU-second and JupyterLab's extension manager starts node helpers). A list on the command line
# replaces the config file's, so the two wanted ones are named too.
APPS_ONLY_EXTENSIONS = {
    "voila": True,
    "workbook": True,
    "jupyterlab": False,
    "jupyter_lsp": False,
    "notebook_shim": False,
    "jupyter_server_terminals": False,
}


def apps_only_args(root: Path) -> list:
    """The single-user server's arguments: the project's jupyter_config.json (Voila's settings, the
    voila and workbook extensions), the server extensions of APPS_ONLY_EXTENSIONS, terminals off, the
    notebooks as the served folder."""
    return [
        f"--config={root / 'jupyter_config.json'}",
        *(f"--ServerApp.jpserver_extensions={name}={on}" for name, on in APPS_ONLY_EXTENSIONS.items()),
        "--ServerApp.terminals_enabled=False",
        f"--ServerApp.root_dir={root / 'notebooks'}",
    ]


def _names(variable: str) -> set:
    return {name.strip() for name in os.environ.get(variable, "").split(",") if name.strip()}


def _workbook_settings() -> list:
    """The workbook's settings in the hub's environment (not the hub's own knobs)."""
    return sorted(n for n in os.environ if n.startswith("WORKBOOK_") and not n.startswith("WORKBOOK_HUB_"))


# -- the hub (left to the hub's own configuration with WORKBOOK_HUB_SPAWNER_ONLY=1) --------------------
SPAWNER_ONLY = os.environ.get("WORKBOOK_HUB_SPAWNER_ONLY", "") == "1"
if not SPAWNER_ONLY:
    state = Path(os.environ.get("WORKBOOK_HUB_STATE_DIR") or os.getcwd())
    c.JupyterHub.ip = os.environ.get("WORKBOOK_HUB_IP", "127.0.0.1")
    c.JupyterHub.port = int(os.environ.get("WORKBOOK_HUB_PORT", "8000"))
    c.JupyterHub.hub_ip = "127.0.0.1"
    c.JupyterHub.hub_port = int(os.environ.get("WORKBOOK_HUB_INTERNAL_PORT", "8081"))
    proxy_api_port = int(os.environ.get("WORKBOOK_HUB_PROXY_API_PORT", "8001"))
    c.ConfigurableHTTPProxy.api_url = f"http://127.0.0.1:{proxy_api_port}"
    c.JupyterHub.db_url = f"sqlite:///{state / 'jupyterhub.sqlite'}"
    c.JupyterHub.cookie_secret_file = str(state / "jupyterhub_cookie_secret")
    c.JupyterHub.pid_file = str(state / "jupyterhub.pid")
    c.ConfigurableHTTPProxy.pid_file = str(state / "jupyterhub-proxy.pid")

    proxy = os.environ.get("WORKBOOK_HUB_PROXY_COMMAND") or shutil.which("configurable-http-proxy")
    if not proxy:
        proxy = str(ROOT / "tests" / "hub" / "node_modules" / ".bin" / "configurable-http-proxy")
    c.ConfigurableHTTPProxy.command = shlex.split(proxy)

    # -- who signs in ----------------------------------------------------------------------------------
    authenticator = os.environ.get("WORKBOOK_HUB_AUTHENTICATOR", "pam")
    c.JupyterHub.authenticator_class = authenticator
    if authenticator == "dummy":
        c.DummyAuthenticator.password = os.environ["WORKBOOK_HUB_DUMMY_PASSWORD"]  # never without one
    c.Authenticator.allowed_users = _names("WORKBOOK_HUB_ALLOWED_USERS")
    c.Authenticator.admin_users = _names("WORKBOOK_HUB_ADMIN_USERS")
    c.Authenticator.allow_all = os.environ.get("WORKBOOK_HUB_ALLOW_ALL", "") == "1"
c.JupyterHub.load_groups = {AUTHORS_GROUP: {"users": sorted(_names("WORKBOOK_HUB_AUTHORS"))}}

# -- each person's server: the apps only ----------------------------------------------------------
if SPAWNER_ONLY:
    pass  # the hub's own spawner (The Littlest JupyterHub's, say)
elif os.environ.get("WORKBOOK_HUB_SPAWNER", "localprocess") == "simple":
    c.JupyterHub.spawner_class = "simple"
    c.SimpleLocalProcessSpawner.home_dir_template = os.environ.get(
        "WORKBOOK_HUB_HOME_TEMPLATE", str(Path(tempfile.gettempdir()) / "{username}")
    )
else:
    c.JupyterHub.spawner_class = "localprocess"
c.Spawner.cmd = [
    os.environ.get("WORKBOOK_HUB_SINGLEUSER") or str(Path(sys.executable).parent / "jupyterhub-singleuser")
]
# A single-user server run by root (a test machine's CI) must say so; people's servers never are.
ROOT_ARGS = ["--allow-root"] if os.geteuid() == 0 else []
c.Spawner.args = [*apps_only_args(ROOT), *ROOT_ARGS]
c.Spawner.default_url = APPS_ONLY_DEFAULT_URL
c.Spawner.environment = {
    **APPS_ONLY_ENVIRONMENT,
    "WORKBOOK_MAX_KERNELS": os.environ.get("WORKBOOK_HUB_KERNELS_PER_PERSON", "6"),
}
BASE_ENV_KEEP = ["PATH", "PYTHONPATH", "VIRTUAL_ENV", "LANG", "LC_ALL", "TZ"]
c.Spawner.env_keep = [*BASE_ENV_KEEP, *_workbook_settings()]
# How long the hub waits for a new server to answer, and to start. A server needs about 6 CPU-seconds to
# start: on a small machine that many people sign in to at once, a short wait gives up on servers that are
# nearly up, wastes the CPU they used and makes the queue longer (benchmarks/bench_hub_load.py).
c.Spawner.http_timeout = int(os.environ.get("WORKBOOK_HUB_HTTP_TIMEOUT", "300"))
c.Spawner.start_timeout = int(os.environ.get("WORKBOOK_HUB_START_TIMEOUT", "300"))

# -- the authors' JupyterLab: a second, named server, for members of content-authors only -----------
c.JupyterHub.allow_named_servers = True
c.JupyterHub.named_server_limit_per_user = 1


def pre_spawn_hook(spawner):
    """The default server is the apps-only one; `author` is JupyterLab on the drafts, for authors only,
    with none of the store's settings (publishing stays the operator's `workbook content publish`)."""
    if not spawner.name:
        return
    if spawner.name != AUTHOR_SERVER:
        raise web.HTTPError(403, f"The only named server is {AUTHOR_SERVER!r}, for content authors.")
    if AUTHORS_GROUP not in {group.name for group in spawner.user.groups}:
        raise web.HTTPError(403, f"The {AUTHOR_SERVER} server is for members of {AUTHORS_GROUP} only.")
    spawner.args = [f"--ServerApp.root_dir={ROOT}", "--ServerApp.terminals_enabled=False", *ROOT_ARGS]
    spawner.default_url = AUTHOR_DEFAULT_URL
    # WORKBOOK_AUTHOR_SERVER: the content preview opens without the store (it has none)
    spawner.environment = {"JUPYTERHUB_DISABLE_USER_CONFIG": "1", "WORKBOOK_AUTHOR_SERVER": "1"}
    spawner.env_keep = [n for n in spawner.env_keep if n not in SECRET_SETTINGS]


c.Spawner.pre_spawn_hook = pre_spawn_hook

# -- servers idle for an hour are stopped, so their memory comes back (a hub of its own culls itself) ---
cull_after = int(os.environ.get("WORKBOOK_HUB_CULL_IDLE_SECONDS", "3600"))
if not SPAWNER_ONLY and cull_after > 0 and shutil.which("jupyterhub-idle-culler"):
    c.JupyterHub.load_roles = [
        {
            "name": "idle-culler",
            "scopes": ["list:users", "read:users:activity", "read:servers", "delete:servers"],
            "services": ["idle-culler"],
        }
    ]
    culler = [shutil.which("jupyterhub-idle-culler"), f"--timeout={cull_after}"]
    c.JupyterHub.services = [{"name": "idle-culler", "command": culler}]

extra = os.environ.get("WORKBOOK_HUB_EXTRA_CONFIG")
if extra:
    load_subconfig(extra)  # noqa: F821 (JupyterHub's config loader provides it)
