"""The real `ordinance serve` (gunicorn) as a process of its own, on a free loopback port and a fresh instance folder.

    served = start_serve(tmp_path / "instance", "--workers", "4")
    urllib.request.urlopen(served.url + "/login")
    assert served.stop() == 0          # SIGTERM, as systemd or Ctrl-C would stop it
    print(served.output())

The database is SQLite in the instance folder (DATABASE_URL is left out of the process's
environment), so these tests are the same on the PostgreSQL run.
"""
from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
ORDINANCE = "from webapp.cli import main; main(prog_name='ordinance')"
LEFT_OUT = ("DATABASE_URL", "ORDINANCE_PLAIN_HTTP", "SECRET_KEY", "ORDINANCE_SWEEP_CHUNK")


def free_port() -> int:
    """A loopback port nobody listens on right now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def environment(instance: Path, **extra: str) -> dict[str, str]:
    """This process's environment for `ordinance` on SQLite in `instance`, this checkout's code first."""
    env = {key: value for key, value in os.environ.items() if key not in LEFT_OUT}
    path = os.pathsep.join(p for p in (str(REPO), env.get("PYTHONPATH", "")) if p)
    return {**env, "PYTHONPATH": path, "ORDINANCE_INSTANCE": str(instance), "PYTHONUNBUFFERED": "1", **extra}


def ordinance(instance: Path, *args: str, timeout: float = 60) -> subprocess.CompletedProcess:
    """Run one `ordinance` command to its end (e.g. demo), failing with its output if it fails."""
    done = subprocess.run([sys.executable, "-c", ORDINANCE, *args], cwd=REPO, env=environment(instance),
                          capture_output=True, text=True, timeout=timeout)
    assert done.returncode == 0, done.stdout + done.stderr
    return done


def answers(url: str) -> bool:
    """True once the server answers a page."""
    try:
        with urllib.request.urlopen(url, timeout=2) as response:
            return response.status == 200
    except (urllib.error.URLError, ConnectionError, TimeoutError):
        return False


@dataclass
class Served:
    """A running `ordinance serve`: its address, process and combined output."""

    url: str
    process: subprocess.Popen
    log: Path

    def output(self) -> str:
        """Everything the server (and its scheduler) wrote, stdout and stderr together."""
        return self.log.read_text(errors="replace")

    def stop(self, how: signal.Signals = signal.SIGTERM, timeout: float = 45) -> int:
        """Stop the server with a signal and wait for it; its exit code."""
        if self.process.poll() is None:
            self.process.send_signal(how)
        try:
            return self.process.wait(timeout)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
            raise AssertionError(f"ordinance serve did not stop within {timeout} s:\n{self.output()}") from None


def start_serve(instance: Path, *args: str, timeout: float = 30, ready_host: str = "127.0.0.1", **env: str) -> Served:
    """Start `ordinance serve --port FREE ARGS...` and wait until it answers /login on `ready_host`."""
    port = free_port()
    log = instance.parent / f"serve-{port}.log"
    with log.open("wb") as sink:
        process = subprocess.Popen([sys.executable, "-c", ORDINANCE, "serve", "--port", str(port), *args], cwd=REPO,
                                   env=environment(instance, **env), stdout=sink, stderr=subprocess.STDOUT)
    served = Served(f"http://{ready_host}:{port}", process, log)
    deadline = time.monotonic() + timeout
    while not answers(served.url + "/login"):
        if process.poll() is not None or time.monotonic() > deadline:
            served.stop(signal.SIGKILL)
            raise AssertionError(f"ordinance serve did not come up:\n{served.output()}")
        time.sleep(0.2)
    return served


def running(pid: int) -> bool:
    """True while a process exists and is not a zombie."""
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (FileNotFoundError, IndexError):
        return False
    return state != "Z"
