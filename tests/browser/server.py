"""A throw-away JupyterLab server for the browser tests.

The server runs on a *copy* of the course (JupyterLab autosaves, and running cells must never write
outputs into the repository's notebooks), on a free loopback port, with a random token, in its own
process group (so that stopping it also stops its kernels), and with its own settings, workspace
and runtime folders (so nothing of the machine's ``~/.jupyter`` changes what the test sees, and the
test leaves nothing there).
"""

from __future__ import annotations

import json
import os
import re
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
#: What the student opens: the lectures and the exercise sheets (the library is installed).
COURSE_FOLDERS = ("lectures", "exercises")

#: JupyterLab settings a fresh user would see, minus what gets in a test's way: the "news"
#: notification, update checks, the extension manager (it queries a package index), and notebook
#: windowing (cells outside the viewport would be missing from the page, so they could not be read).
USER_SETTINGS: dict[str, dict] = {
    "@jupyterlab/apputils-extension/notification": {"fetchNews": "false", "checkForUpdates": False},
    "@jupyterlab/extensionmanager-extension/plugin": {"enabled": False},
    "@jupyterlab/notebook-extension/tracker": {"windowingMode": "none"},
}

#: Variables the test suite sets for nbval (``conftest.py``) that a student's kernel does not have:
#: without them the kernel uses the inline backend and shows tqdm's widget progress bars, as in class.
TEST_ONLY_VARIABLES = ("MPLBACKEND", "TQDM_DISABLE")


@dataclass(frozen=True)
class LabServer:
    """A running JupyterLab: where it serves, its token, and the folder it serves."""

    url: str
    token: str
    root: Path
    process: subprocess.Popen

    def api(self, path: str, method: str = "GET") -> object:
        """Call the server's REST API (``path`` like ``"/api/sessions"``); the decoded JSON reply or None."""
        request = urllib.request.Request(f"{self.url}{path}", method=method,
                                         headers={"Authorization": f"token {self.token}"})
        with urllib.request.urlopen(request, timeout=10) as reply:
            body = reply.read()
        return json.loads(body) if body else None

    def lab_url(self, notebook: str) -> str:
        """The address that opens ``notebook`` (relative to :attr:`root`) alone in JupyterLab.

        Each notebook gets a workspace of its own (named after it), so no tab of an earlier
        test is restored beside it.
        """
        workspace = re.sub(r"[^A-Za-z0-9_-]", "-", notebook)
        return f"{self.url}/lab/workspaces/{workspace}/tree/{notebook}?token={self.token}"

    def shut_down_kernels(self, path: str | None = None) -> None:
        """Stop the kernel sessions of notebook ``path`` (all sessions if None): frees CPU and memory."""
        for session in self.api("/api/sessions") or []:
            if path is None or session.get("path") == path:
                self.api(f"/api/sessions/{session['id']}", method="DELETE")


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def copy_course(destination: Path) -> Path:
    """Copy the course's notebook folders into ``destination`` (created); return ``destination``."""
    destination.mkdir(parents=True, exist_ok=True)
    for folder in COURSE_FOLDERS:
        shutil.copytree(REPO / folder, destination / folder,
                        ignore=shutil.ignore_patterns(".ipynb_checkpoints", "backups", "__pycache__"))
    return destination


def write_user_settings(settings_dir: Path) -> None:
    """Write :data:`USER_SETTINGS` as JupyterLab user-settings files into ``settings_dir``."""
    for plugin, values in USER_SETTINGS.items():
        path = settings_dir / f"{plugin}.jupyterlab-settings"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(values))


def server_environment(state_dir: Path, extra: dict[str, str] | None = None) -> dict[str, str]:
    """The server's (and so its kernels') environment: ours, minus test-only variables, with private Jupyter folders."""
    env = {k: v for k, v in os.environ.items() if k not in TEST_ONLY_VARIABLES}
    for name, sub in (("JUPYTER_CONFIG_DIR", "config"), ("JUPYTER_RUNTIME_DIR", "runtime"),
                      ("JUPYTERLAB_SETTINGS_DIR", "user-settings"),
                      ("JUPYTERLAB_WORKSPACES_DIR", "workspaces")):
        env[name] = str(state_dir / sub)
    env.update(extra or {})
    return env


def wait_until_up(server: LabServer, timeout: float, log: Path) -> None:
    """Poll ``/api/status`` until it answers; raise with the server's log if it dies or times out."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if server.process.poll() is not None:
            raise RuntimeError(f"JupyterLab exited with code {server.process.returncode} before answering:\n"
                               f"{log.read_text(errors='replace')[-3000:]}")
        try:
            server.api("/api/status")
            return
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            time.sleep(0.25)
    raise RuntimeError(f"JupyterLab did not answer /api/status within {timeout:.0f} s:\n"
                       f"{log.read_text(errors='replace')[-3000:]}")


def stop(process: subprocess.Popen, timeout: float = 15.0) -> None:
    """Stop ``process`` and its whole process group (its kernels): SIGTERM, then SIGKILL after ``timeout``."""
    if process.poll() is None:
        try:
            os.killpg(process.pid, signal.SIGTERM)
            process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            pass
        except ProcessLookupError:
            return
    # The server may be gone while a kernel it started lingers in the group: kill what is left.
    try:
        os.killpg(process.pid, signal.SIGKILL)
    except ProcessLookupError:
        pass
    process.wait(timeout=timeout)


@contextmanager
def jupyterlab(workdir: Path, *, startup_timeout: float = 120.0,
               extra_env: dict[str, str] | None = None) -> Iterator[LabServer]:
    """Run JupyterLab on a copy of the course under ``workdir``; always stopped on exit.

    Args:
        workdir: an empty temporary folder: the course copy goes to ``workdir/course``, Jupyter's
            state to ``workdir/jupyter``, the server's log to ``workdir/jupyterlab.log``.
        startup_timeout: seconds to wait for ``/api/status`` to answer.
        extra_env: variables added to the server's (and its kernels') environment.
    """
    root = copy_course(workdir / "course")
    state = workdir / "jupyter"
    write_user_settings(state / "user-settings")
    port, token = free_port(), secrets.token_hex(24)
    log = workdir / "jupyterlab.log"
    command = [sys.executable, "-m", "jupyterlab", "--no-browser", "--allow-root",
               "--ServerApp.ip=127.0.0.1", f"--ServerApp.port={port}", "--ServerApp.port_retries=0",
               f"--IdentityProvider.token={token}", f"--ServerApp.root_dir={root}",
               f"--LabApp.user_settings_dir={state / 'user-settings'}",
               f"--LabApp.workspaces_dir={state / 'workspaces'}",
               "--LabApp.news_url=", "--LabApp.expose_app_in_browser=True",
               "--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate"]
    with open(log, "wb") as log_file:
        process = subprocess.Popen(command, cwd=root, env=server_environment(state, extra_env),
                                   stdin=subprocess.DEVNULL, stdout=log_file, stderr=subprocess.STDOUT,
                                   start_new_session=True)  # its own process group, kernels included
    server = LabServer(f"http://127.0.0.1:{port}", token, root, process)
    try:
        wait_until_up(server, startup_timeout, log)
        yield server
    finally:
        stop(process)
