"""`make run` as a newcomer types it: the sample city loaded into a fresh instance and served by gunicorn.

The Makefile's own `run` recipe runs (make, not a copy of its commands), without its two set-up
prerequisites (`-o system-run -o install`: the Debian packages and the virtualenv are this test
run's own, BIN=its interpreter's folder) and on a free port (PORT=). A real Chromium then signs
the demo clerk in through it. The server and its scheduler child are stopped with SIGTERM to
make's process group, as Ctrl-C in a terminal stops them all.
"""
from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.web.served import REPO, answers, environment, free_port
from tests.web.test_browser_login import chromium  # noqa: F401  (fixture)

pytestmark = pytest.mark.browser

START_SECONDS = 300  # the 2,000-account sample city is generated first (about 40 s on a quiet machine)


@dataclass
class MakeRun:
    """A running `make run`: its address, make's process and everything written."""

    url: str
    process: subprocess.Popen
    log: Path

    def output(self) -> str:
        return self.log.read_text(errors="replace")


def make_run_commands() -> list[str]:
    """The commands `make run` runs once its set-up is done (make -n: printed, not run)."""
    done = subprocess.run(["make", "--no-print-directory", "-n", "-o", "system-run", "-o", "install", "run",
                           f"BIN={Path(sys.executable).parent}"], cwd=REPO, capture_output=True, text=True, check=True)
    return done.stdout.splitlines()


def test_make_run_loads_the_sample_city_then_serves_it_with_gunicorn_not_the_development_server():
    commands = make_run_commands()
    assert [c.split()[1:3] for c in commands] == [["demo", "--if-new"], ["serve", "--host"]]
    assert commands[-1].split()[-4:] == ["--host", "127.0.0.1", "--port", "5000"]
    assert "--debug" not in commands[-1] and "--no-scheduler" not in commands[-1]


@pytest.fixture()
def make_run(tmp_path: Path) -> Iterator[MakeRun]:
    """`make run` on a fresh instance folder, until it answers /login on loopback."""
    port, log = free_port(), tmp_path / "make-run.log"
    with log.open("wb") as sink:
        process = subprocess.Popen(["make", "--no-print-directory", "-o", "system-run", "-o", "install", "run",
                                    f"BIN={Path(sys.executable).parent}", f"PORT={port}"], cwd=REPO,
                                   env=environment(tmp_path / "instance"), stdout=sink, stderr=subprocess.STDOUT,
                                   start_new_session=True)
    running = MakeRun(f"http://127.0.0.1:{port}", process, log)
    try:
        deadline = time.monotonic() + START_SECONDS
        while not answers(running.url + "/login"):
            assert process.poll() is None, f"make run stopped:\n{running.output()}"
            assert time.monotonic() < deadline, f"make run did not serve within {START_SECONDS} s:\n{running.output()}"
            time.sleep(0.5)
        yield running
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(60)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()
            raise AssertionError(f"make run did not stop within 60 s:\n{running.output()}") from None


def test_the_demo_clerk_signs_in_through_make_run(make_run, chromium):
    page = chromium
    page.goto(make_run.url + "/")
    page.get_by_label("Username").fill("clerk")
    page.get_by_label("Password").fill("clerk-demo-2026")  # the login `make run` prints
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(make_run.url + "/")  # the click's navigation ends before the page is drawn: wait for both
    page.get_by_text("Signed in as Rosa Delgado.").wait_for(state="visible", timeout=30_000)
    assert page.url == make_run.url + "/"
    assert page.get_by_text("Signed in as Rosa Delgado.").is_visible()
    assert page.get_by_text("active utility accounts").is_visible()
    output = make_run.output()
    assert "clerk-demo-2026" in output and "with gunicorn" in output
    assert "Sign-in cookies not Secure: plain http on loopback." in output
