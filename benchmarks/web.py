"""`ordinance bench web`: the office at work on a real server — clerks and supervisors on loopback, a sweep beside.

The city is the sample city (`ordinance demo`) in a database of the benchmark's own (SQLite in a
temporary instance folder, or the PostgreSQL database given). The server is `ordinance serve`
itself — gunicorn, no scheduler — in a process of its own; the one scheduler's tick of the
dashboard's figures (worked out when due, engine.office_counts.refresh) runs in a thread beside. Each clerk and supervisor is a real
user with a session of their own, signed in through the sign-in page, their forms carrying the
CSRF tokens the pages gave them:

- a clerk searches (surnames, streets, account numbers), opens accounts (and, as a browser
  does, the page's picture of the account's water use), opens cases, opens the dashboard,
  and takes counter receipts (the form, then the post) into a drawer opened for the run;
- a supervisor opens cases and takes a step on them (a hold for an appeal, then its release).

While they work, the night's delinquency sweep runs (`ordinance sweep run`, a process of its own).
Two load shapes:

- `counter`: every person waits 2 to 5 seconds between pages, as at a real counter; every page's
  p95 is held against the target of 150 ms;
- `ceiling`: nobody waits; the number of people working at once rises (1, 2, 4, 8, 16, then all),
  each level for a fixed time; the answer is the requests per second of the busiest level whose
  p95 is still at most 150 ms.

The baseline, measured in the same run on the same server before the load starts, is `/health`
(one query) asked by one client at a time. A request that fails (a 5xx, a refused connection, a
page that should have succeeded answering 4xx) is counted as an error and reported.
"""
from __future__ import annotations

import asyncio
import html
import os
import random
import re
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from pathlib import Path

from sqlalchemy import select

from engine import users
from engine.city import get_city, local_today
from engine.store.db import make_engine, make_sessionmaker
from engine.store.models import Case, Customer, Property, User, UtilityAccount

TARGET_P95_MS = 150.0
PASSWORD = "Counter-bench-horse-battery-staple-2026"
REPO = Path(__file__).resolve().parents[1]
ORDINANCE = "from webapp.cli import main; main(prog_name='ordinance')"
CSRF = re.compile(r'name="csrf_token" type="hidden" value="([^"]+)"')
KEY = re.compile(r'name="key" type="hidden" value="([^"]*)"')
PICTURE = re.compile(r'<img class="chart" src="([^"]+)"')
CEILING_LEVELS = (1, 2, 4, 8, 16)
DRAWER_ATTEMPTS = 5


def token_of(page: str) -> str:
    """The CSRF token a page's form carries ("" when the page has no form)."""
    match = CSRF.search(page)
    return match.group(1) if match else ""


@dataclass
class Picks:
    """What the people look for, drawn from the city's own rows."""

    accounts: list[str]
    searches: list[str]
    cases: list[int]


@dataclass
class Timings:
    """Each page's answer times (seconds) and errors, kept per load level."""

    seconds: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))
    errors: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    error_samples: list[str] = field(default_factory=list)

    def add(self, page: str, seconds: float, ok: bool, detail: str = "") -> None:
        """One request's time; a failure counted (and the first few kept to show)."""
        self.seconds[page].append(seconds)
        if not ok:
            self.errors[page] += 1
            if len(self.error_samples) < 10:
                self.error_samples.append(f"{page}: {detail}")

    @property
    def requests(self) -> int:
        """Requests made."""
        return sum(len(v) for v in self.seconds.values())

    def summary(self, elapsed: float) -> dict:
        """p50/p95/p99 per page (ms), requests per second, errors."""
        pages = {page: quantiles(times) | {"errors": self.errors.get(page, 0)}
                 for page, times in sorted(self.seconds.items())}
        every = [t for times in self.seconds.values() for t in times]
        return {"pages": pages, "all": quantiles(every), "requests": self.requests,
                "requests_per_s": round(self.requests / elapsed, 1) if elapsed else 0.0,
                "errors": sum(self.errors.values()), "error_samples": self.error_samples}


def quantiles(times: list[float]) -> dict:
    """The count and p50, p95, p99 in milliseconds of a list of times in seconds."""
    if not times:
        return {"count": 0, "p50_ms": None, "p95_ms": None, "p99_ms": None}
    ordered = sorted(times)

    def at(q: float) -> float:
        return round(ordered[min(len(ordered) - 1, int(q * len(ordered)))] * 1000, 1)

    return {"count": len(ordered), "p50_ms": at(0.50), "p95_ms": at(0.95), "p99_ms": at(0.99)}


# --- the city and the server ---------------------------------------------------------------------

def prepare(database_url: str, clerks: int, supervisors: int, now: datetime, seed: int) -> Picks:
    """The benchmark's staff added (once), and the accounts, searches and cases they will open."""
    engine = make_engine(database_url)
    sessions = make_sessionmaker(engine)
    with sessions() as session, session.begin():
        have = set(session.scalars(select(User.username).where(User.username.like("bench%"))))
        for role, count in (("clerk", clerks), ("supervisor", supervisors)):
            for n in range(1, count + 1):
                name = f"bench{role}{n:02d}"
                if name not in have:
                    users.add_user(session, username=name, full_name=f"Bench {role.title()} {n}", role=role,
                                   password=PASSWORD, actor="bench", now=now)
    rng = random.Random(seed)
    with sessions() as session:
        numbers = list(session.scalars(select(UtilityAccount.number).order_by(UtilityAccount.id)))
        names = list(session.scalars(select(Customer.name).limit(5000)))
        streets = list(session.scalars(select(Property.service_address).limit(5000)))
        cases = list(session.scalars(select(Case.id).where(Case.closed_at.is_(None), Case.workflow_id == "delinquency")
                                     .limit(5000)))
    engine.dispose()
    surnames = [name.split()[-1] for name in names if name.split()]
    street_names = [" ".join(address.split()[1:3]) for address in streets if len(address.split()) > 2]
    searches = ([rng.choice(surnames) for _ in range(400)] + [rng.choice(street_names) for _ in range(400)]
                + [rng.choice(numbers).split("-")[0].lstrip("0") or "1" for _ in range(200)])
    return Picks(accounts=rng.sample(numbers, min(len(numbers), 3000)), searches=searches, cases=cases)


def city_today(database_url: str, now: datetime) -> date:
    """The benchmark city's date now, in its own time zone."""
    engine = make_engine(database_url)
    with make_sessionmaker(engine)() as session:
        zone_name = get_city(session).timezone
    engine.dispose()
    return local_today(now, zone_name)


def free_port() -> int:
    """A loopback port nobody listens on."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def environment(instance: Path, database_url: str) -> dict[str, str]:
    """`ordinance` in this checkout, on the benchmark's instance folder and database."""
    env = {k: v for k, v in os.environ.items() if k not in ("ORDINANCE_PLAIN_HTTP",)}
    path = os.pathsep.join(p for p in (str(REPO), env.get("PYTHONPATH", "")) if p)
    return {**env, "PYTHONPATH": path, "ORDINANCE_INSTANCE": str(instance), "DATABASE_URL": database_url,
            "ORDINANCE_LOG_FORMAT": "json", "PYTHONUNBUFFERED": "1"}


def start_server(instance: Path, database_url: str, workers: int | None) -> tuple[subprocess.Popen, str]:
    """`ordinance serve --no-scheduler` on a free loopback port; the process and its address, once it is ready."""
    import httpx

    port = free_port()
    args = ["serve", "--no-scheduler", "--port", str(port)] + (["--workers", str(workers)] if workers else [])
    log = (instance / "serve.log").open("wb")
    process = subprocess.Popen([sys.executable, "-c", ORDINANCE, *args], cwd=REPO,
                               env=environment(instance, database_url), stdout=log, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        try:
            if httpx.get(url + "/ready", timeout=2).status_code == 200:
                return process, url
        except httpx.HTTPError:
            pass
        if process.poll() is not None:
            break
        time.sleep(0.25)
    process.kill()
    raise RuntimeError(f"ordinance serve did not become ready: see {instance / 'serve.log'}")


def stop(process: subprocess.Popen) -> None:
    """Stop a process of the benchmark gently, then firmly."""
    if process.poll() is None:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(45)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


# --- the people --------------------------------------------------------------------------------------

class Person:
    """One member of staff with a session of their own."""

    def __init__(self, url: str, username: str, picks: Picks, rng: random.Random, timings: Timings) -> None:
        import httpx

        self.client = httpx.AsyncClient(base_url=url, timeout=60, follow_redirects=False)
        self.username, self.picks, self.rng, self.timings = username, picks, rng, timings

    async def timed(self, page: str, method: str, path: str, *, ok=(200,), **kwargs):
        """One request, timed and judged; the response (or None when the connection failed)."""
        started = time.perf_counter()
        try:
            response = await self.client.request(method, path, **kwargs)
        except Exception as error:  # noqa: BLE001 - a failed request is a result to report
            self.timings.add(page, time.perf_counter() - started, False, f"{type(error).__name__}: {error}")
            return None
        good = response.status_code in ok
        self.timings.add(page, time.perf_counter() - started, good, f"{method} {path} -> {response.status_code}")
        return response

    async def sign_in(self) -> None:
        """The sign-in page and its form."""
        page = await self.client.get("/login")
        token = token_of(page.text)
        if not token:
            raise RuntimeError(f"{self.username}: the sign-in page answered {page.status_code} without its form")
        answer = await self.client.post("/login", data={"csrf_token": token, "username": self.username,
                                                        "password": PASSWORD})
        if answer.status_code != 302:
            raise RuntimeError(f"{self.username} could not sign in: {answer.status_code}")

    async def close(self) -> None:
        """End the session's connections."""
        await self.client.aclose()


class Clerk(Person):
    """Searches, accounts, cases, the dashboard, and counter receipts."""

    async def open_drawer(self) -> None:
        """A drawer for the run's receipts (one per clerk per day; an open one is kept).

        Opening it is a write: while the sweep beside the load holds SQLite's write lock longer than
        the server waits for it, the opening fails, and every receipt of this clerk would then find
        no drawer. So an opening that fails is tried again, a few times, then the run stops naming it.
        """
        answer = None
        for attempt in range(DRAWER_ATTEMPTS):
            page = await self.client.get("/payments/drawer")
            match = CSRF.search(page.text)
            if page.status_code == 200 and 'name="opening"' not in page.text:
                return  # open already
            if match:
                answer = await self.client.post("/payments/drawer/open", data={
                    "csrf_token": match.group(1), "opening": "100.00", "submit": "Open my drawer"})
                if answer.status_code == 302:
                    return
            await asyncio.sleep(1 + attempt)
        raise RuntimeError(f"{self.username} could not open a cash drawer in {DRAWER_ATTEMPTS} tries: the drawer page "
                           f"answered {page.status_code}, the opening "
                           f"{'never sent' if answer is None else answer.status_code}")

    async def act(self) -> None:
        """One thing a clerk does, chosen as a counter's day goes."""
        roll = self.rng.random()
        if roll < 0.30:
            await self.timed("search", "GET", "/search/", params={"q": self.rng.choice(self.picks.searches)},
                             ok=(200, 302))
        elif roll < 0.60:
            page = await self.timed("account page", "GET", f"/accounts/{self.rng.choice(self.picks.accounts)}")
            picture = PICTURE.search(page.text) if page is not None and page.status_code == 200 else None
            if picture:  # as a browser does: the page's picture of the water use, asked for once the page came
                await self.timed("usage picture", "GET", html.unescape(picture.group(1)))
        elif roll < 0.72 and self.picks.cases:
            await self.timed("case page", "GET", f"/cases/{self.rng.choice(self.picks.cases)}")
        elif roll < 0.82:
            await self.timed("dashboard", "GET", "/")
        else:
            await self.receipt()

    async def receipt(self) -> None:
        """The receipt form for an account, then the post of $1.00 in cash."""
        number = self.rng.choice(self.picks.accounts)
        form = await self.timed("receipt form", "GET", "/payments/", params={"account": number})
        if form is None or form.status_code != 200:
            return
        token, key = token_of(form.text), KEY.search(form.text)
        if not token or key is None:
            self.timings.add("post receipt", 0.0, False, "the receipt page came without its form")
            return
        data = {"csrf_token": token, "key": key.group(1),
                "language": "en", "lines-0-what": "account", "lines-0-number": number, "lines-0-amount": "1.00",
                "tenders-0-tender": "cash", "tenders-0-amount": "1.00", "post": "Post the receipt"}
        await self.timed("post receipt", "POST", "/payments/", data=data, ok=(302,))


class Supervisor(Person):
    """Opens cases and takes a step: a hold for an appeal, then its release."""

    async def act(self) -> None:
        """Open a case; take the hold or the release it offers."""
        if not self.picks.cases:
            await self.timed("dashboard", "GET", "/")
            return
        case_id = self.rng.choice(self.picks.cases)
        page = await self.timed("case page", "GET", f"/cases/{case_id}")
        if page is None or page.status_code != 200:
            return
        for step, fields in (("appeal_hold", {"appeal_filed_on": "2026-12-01", "hold_reason": "bench"}),
                             ("release_hold", {"release_reason": "bench"})):
            if f"/cases/{case_id}/steps/{step}" in page.text:
                version = re.search(rf'name="{step}-version" type="hidden" value="(\d+)"', page.text)
                data = {"csrf_token": token_of(page.text),
                        **{f"{step}-{k}": v for k, v in fields.items()}}
                if version:
                    data[f"{step}-version"] = version.group(1)
                await self.timed("take a step", "POST", f"/cases/{case_id}/steps/{step}", data=data, ok=(302, 409))
                return


async def work(people: list[Person], seconds: float, think: tuple[float, float] | None) -> float:
    """Everyone works until the time is up; the seconds it took."""
    deadline = time.monotonic() + seconds

    async def one(person: Person) -> None:
        if think:  # people at a counter are not in step: each starts somewhere in a pause, not all at one instant
            await asyncio.sleep(person.rng.uniform(0, think[1]))
        while time.monotonic() < deadline:
            await person.act()
            if think:
                await asyncio.sleep(person.rng.uniform(*think))

    started = time.monotonic()
    await asyncio.gather(*(one(p) for p in people))
    return time.monotonic() - started


async def baseline(url: str, requests: int = 300) -> dict:
    """`/health` asked one at a time: the bare answer time of the same server."""
    import httpx

    times = []
    async with httpx.AsyncClient(base_url=url, timeout=30) as client:
        for _ in range(requests):
            started = time.perf_counter()
            await client.get("/health")
            times.append(time.perf_counter() - started)
    return quantiles(times)


async def staff(url: str, picks: Picks, clerks: int, supervisors: int, seed: int, timings: Timings) -> list[Person]:
    """Everyone signed in, each clerk's drawer open, and every kind of page opened once by someone (a server's first
    answers of a page load its code and the city's rules: a counter's day starts after that, so they are not
    timed)."""
    people: list[Person] = []
    for n in range(1, clerks + 1):
        people.append(Clerk(url, f"benchclerk{n:02d}", picks, random.Random(seed + n), timings))
    for n in range(1, supervisors + 1):
        people.append(Supervisor(url, f"benchsupervisor{n:02d}", picks, random.Random(seed + 100 + n), timings))
    for person in people:  # one at a time, as people arrive in the morning
        await person.sign_in()
    await asyncio.gather(*(p.open_drawer() for p in people if isinstance(p, Clerk)))
    for person in people:  # the warm-up: each does a few things, on a scratch tally
        for _ in range(4):
            await person.act()
    return people


async def run_load(url: str, picks: Picks, *, clerks: int, supervisors: int, seconds: float, shape: str,
                   seed: int) -> dict:
    """The baseline, then the load of the shape asked for."""
    result: dict = {"baseline_health": await baseline(url)}
    if shape == "counter":
        people = await staff(url, picks, clerks, supervisors, seed, Timings())
        timings = Timings()
        for person in people:
            person.timings = timings
        elapsed = await work(people, seconds, (2.0, 5.0))
        result["counter"] = timings.summary(elapsed) | {"people": len(people), "seconds": round(elapsed, 1)}
        pages = result["counter"]["pages"]
        result["counter"]["target_met"] = all(p["p95_ms"] is not None and p["p95_ms"] <= TARGET_P95_MS
                                              for p in pages.values()) and result["counter"]["errors"] == 0
        await asyncio.gather(*(p.close() for p in people))
        return result
    everyone = await staff(url, picks, clerks, supervisors, seed, Timings())
    levels = []
    for level in [n for n in CEILING_LEVELS if n < len(everyone)] + [len(everyone)]:
        timings = Timings()
        people = everyone[:level]
        for person in people:
            person.timings = timings
        elapsed = await work(people, seconds, None)
        summary = timings.summary(elapsed)
        levels.append({"people": level, "requests_per_s": summary["requests_per_s"], "p50_ms": summary["all"]["p50_ms"],
                       "p95_ms": summary["all"]["p95_ms"], "p99_ms": summary["all"]["p99_ms"],
                       "errors": summary["errors"], "error_samples": summary["error_samples"]})
    await asyncio.gather(*(p.close() for p in everyone))
    within = [lv for lv in levels if lv["p95_ms"] is not None and lv["p95_ms"] <= TARGET_P95_MS]
    result["ceiling"] = {"levels": levels,
                         "requests_per_s_at_target": max((lv["requests_per_s"] for lv in within), default=None),
                         "errors": sum(lv["errors"] for lv in levels)}
    return result


def figures_ticking(database_url: str, clock: Callable[[], datetime], stop: threading.Event) -> threading.Thread:
    """The scheduler's tick of the dashboard's figures (webapp.cli.scheduler.add_figures_job), in a thread: every
    10 seconds they are worked out and kept when due, until `stop` is set."""
    from engine.office_counts import refresh
    from webapp.cli.scheduler import FIGURES_TICK_SECONDS

    sessions = make_sessionmaker(make_engine(database_url))

    def tick() -> None:
        while not stop.is_set():
            refresh(sessions, clock())
            stop.wait(FIGURES_TICK_SECONDS)

    thread = threading.Thread(target=tick, name="dashboard-figures", daemon=True)
    thread.start()
    return thread


def run_web_bench(instance: Path, database_url: str, *, accounts: int, clerks: int, supervisors: int,
                  seconds: float, shapes: list[str], sweep: bool, workers: int | None, now: datetime,
                  seed: int = 2026, progress=lambda message: None,
                  processes: list[subprocess.Popen] | None = None,
                  clock: Callable[[], datetime] | None = None, sweep_night: date | None = None) -> dict:
    """Build the city if the database has none, serve it, and measure each load shape while a sweep runs.

    The processes the run starts (the server, then each shape's sweep) are added to `processes` as they start, so
    that a caller can see them gone once the run has ended, whether it ended well or not. `clock` is the city's
    clock for the dashboard figures' tick (none: no tick, the pages work the figures out when they find them old);
    `sweep_night` the first shape's night (default: the city's today), each later shape's the night before."""
    processes = [] if processes is None else processes
    env = environment(instance, database_url)
    progress(f"loading the sample city ({accounts:,} accounts) unless the database has it")
    demo = subprocess.run([sys.executable, "-c", ORDINANCE, "demo", "--if-new", "--accounts", str(accounts)], cwd=REPO,
                          env=env, capture_output=True, text=True)
    if demo.returncode != 0:
        raise RuntimeError(f"ordinance demo failed:\n{demo.stdout}{demo.stderr}")
    picks = prepare(database_url, clerks, supervisors, now, seed)
    sweep_on = (sweep_night or city_today(database_url, now)) if sweep else None
    result: dict = {"accounts": accounts, "database": make_engine(database_url).dialect.name, "clerks": clerks,
                    "supervisors": supervisors, "seconds_per_shape": seconds, "target_p95_ms": TARGET_P95_MS}
    from webapp.cli.scheduler import SQLITE_CHUNK  # here: webapp.cli imports this module
    from webapp.config import stand_back

    # The sweep beside the load runs as the scheduler runs it beside a web server: on SQLite in short chunks,
    # since each chunk's transaction holds the one write lock the pages' writes (a sign-in, a receipt) wait for.
    sweep_env = {**env, "ORDINANCE_SWEEP_CHUNK": str(SQLITE_CHUNK)} if result["database"] == "sqlite" else env
    result["sweep_chunk"] = SQLITE_CHUNK if result["database"] == "sqlite" else None
    server, url = start_server(instance, database_url, workers)
    processes.append(server)
    night_sweep: subprocess.Popen | None = None
    ticking = threading.Event()
    if clock is not None:
        figures_ticking(database_url, clock, ticking)
    try:
        for n, shape in enumerate(shapes):
            night_sweep = None
            if sweep_on is not None:  # each shape its own night, so each has a whole sweep beside it
                night = (sweep_on - timedelta(days=n)).isoformat()
                progress(f"{shape}: the delinquency sweep for {night} runs beside the load")
                night_sweep = subprocess.Popen([sys.executable, "-c", ORDINANCE, "sweep", "run", "delinquency", "--as-of",
                                          night, "--no-pdf"], cwd=REPO, env=sweep_env, stdout=subprocess.DEVNULL,
                                         stderr=subprocess.DEVNULL, preexec_fn=stand_back)  # as the scheduler does
                processes.append(night_sweep)
            progress(f"{shape}: {clerks} clerks and {supervisors} supervisors for {seconds:g} s"
                     + (" per level" if shape == "ceiling" else ""))
            result |= asyncio.run(run_load(url, picks, clerks=clerks, supervisors=supervisors, seconds=seconds,
                                           shape=shape, seed=seed))
            if night_sweep is not None:
                result[f"{shape}_sweep_exit"] = night_sweep.wait()
    finally:
        ticking.set()
        if night_sweep is not None:  # a run that failed leaves no sweep holding the database behind it
            stop(night_sweep)
        stop(server)
    result["load_average"] = round(os.getloadavg()[0], 1)
    result["cpus"] = os.cpu_count()
    return result
