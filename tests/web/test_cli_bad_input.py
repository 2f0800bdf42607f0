"""Every `ordinance` command answers bad input with a message, never a Python traceback.

The command tree is walked from `webapp.cli.main` itself, so a command added later is
tried too. Each command is run once per bad value of each of its arguments and options
(a missing file, a date that is not one, an id nothing has, a word where a number goes, a
number too big for any column, an empty string), the others given ordinary values, on a
migrated database of the test's own. A result whose exception is anything but SystemExit,
or whose output holds "Traceback", fails the test. The long-running parts (serving, the
scheduler's loop, the benchmarks, the demo city) stop where they would start their work.
"""
from __future__ import annotations

import threading
from pathlib import Path

import click
import pytest
from click.testing import CliRunner

from webapp.cli import main as ordinance
from webapp.cli.context import CityDate
from samplecity.city import APPROVAL_ROLE_IDS

HUGE = "9" * 30
BAD_NUMBERS = ("abc", "", "-1", "0", "1.5", HUGE, "1e999999999", "NaN")
BAD_DATES = ("2026-02-30", "yesterday", "", "99999-01-01", "9999-12-31", "0001-01-01")
BAD_TEXT = ("", "no-such-thing-here", "x" * 400, HUGE)


def _stop(*_args: object, **_kwargs: object) -> None:
    """Where a long-running command would start its work: leave quietly."""
    raise click.exceptions.Exit(0)


def _started(thread: threading.Thread) -> threading.Thread:
    """A thread that has run (the job worker stands in, with nothing to do)."""
    thread.start()
    return thread


@pytest.fixture()
def quick(monkeypatch: pytest.MonkeyPatch) -> None:
    """Serving, the scheduler's loop, the benchmarks and the demo city stop before their long work."""
    import apscheduler.schedulers.blocking

    import webapp.cli.bench
    import webapp.cli.bench_all
    import webapp.cli.bench_billing
    import webapp.cli.bench_impact
    import webapp.cli.bench_notices
    import webapp.cli.bench_payments
    import webapp.cli.bench_search
    import webapp.cli.bench_statements
    import webapp.cli.bench_sweep
    import webapp.cli.bench_web
    import webapp.cli.demo
    import webapp.cli.scheduler
    import webapp.cli.serve
    import webapp.cli.sweep_worker

    for module, name in ((webapp.cli.bench, "run_rules_bench"), (webapp.cli.bench_billing, "run_billing_bench"),
                         (webapp.cli.bench_notices, "run_notice_bench"), (webapp.cli.bench_sweep, "run_sweep_bench"),
                         (webapp.cli.bench_search, "run_search_bench"),
                         (webapp.cli.bench_statements, "run_statement_bench"),
                         (webapp.cli.bench_impact, "run_impact_bench"), (webapp.cli.bench_web, "run_web_bench"),
                         (webapp.cli.bench_payments, "run_payments_bench"), (webapp.cli.bench_all, "run_one"),
                         (webapp.cli.sweep_worker, "sweep_jobs"),
                         (webapp.cli.demo, "load_demo"), (webapp.cli.serve, "GunicornServer"),
                         (webapp.cli.serve, "run_development_server"), (webapp.cli.scheduler, "catch_up")):
        monkeypatch.setattr(module, name, _stop)
    monkeypatch.setattr(apscheduler.schedulers.blocking.BlockingScheduler, "start", _stop)
    monkeypatch.setattr(webapp.cli.scheduler.signal, "signal", lambda *_args: None)
    monkeypatch.setattr(webapp.cli.scheduler, "start_job_worker",
                        lambda *_args: _started(threading.Thread(target=lambda: None, daemon=True)))


def leaf_commands() -> list[tuple[list[str], click.Command]]:
    """Every command that does something (not a group), with its words after `ordinance`."""
    found = []

    def walk(command: click.Command, path: list[str], ctx: click.Context) -> None:
        if isinstance(command, click.Group):
            for name in command.list_commands(ctx):
                sub = command.get_command(ctx, name)
                walk(sub, [*path, name], click.Context(sub, info_name=name, parent=ctx))
        else:
            found.append((path, command))

    walk(ordinance, [], click.Context(ordinance, info_name="ordinance"))
    return found


def _is_file(param: click.Parameter) -> bool:
    """A parameter naming a file or a folder."""
    return isinstance(param.type, (click.Path, click.File))


def ordinary(param: click.Parameter, files: Path) -> str:
    """A value the parameter takes: a number, a date, an existing file, the first choice, a word."""
    if isinstance(param.type, click.Choice):
        return str(param.type.choices[0])
    if isinstance(param.type, CityDate):
        return "2026-03-02"
    if isinstance(param.type, (click.types.IntParamType, click.types.FloatParamType)):
        low = getattr(param.type, "min", None)
        return str(max(int(low or 1), 1))
    if _is_file(param):
        return str(files / ("folder" if getattr(param.type, "file_okay", True) is False else "empty.csv"))
    if param.name in ("pairs",):
        return "period=2026-01"
    return "word"


def bad_values(param: click.Parameter, files: Path) -> tuple[str, ...]:
    """The bad values tried for one parameter, by its type."""
    if isinstance(param.type, click.Choice):
        return ("nonsense", "")
    if isinstance(param.type, CityDate):
        return BAD_DATES
    if isinstance(param.type, (click.types.IntParamType, click.types.FloatParamType)):
        return BAD_NUMBERS
    if _is_file(param):
        return (str(files / "no-such-file.csv"), "", str(files / "folder"), str(files / "empty.csv"))
    if param.name == "pairs":
        return ("novalue", "=x", "installments=" + HUGE, "installments=1e999999999", "first_due=2026-02-30",
                "first_due=9999-12-31")
    if param.name in ("amount", "cash_amount", "check_amount", "card_amount", "opening"):
        return BAD_NUMBERS + ("$1,00.0",)
    if param.name in ("facts_source", "period"):
        return BAD_TEXT + ("2026-13",)
    return BAD_TEXT


def argv(path: list[str], command: click.Command, bad: click.Parameter, value: str, files: Path) -> list[str]:
    """The command line: the bad value for one parameter, ordinary values for every other that is required."""
    words = list(path)
    for param in command.params:
        if param.name == "help" or (param is not bad and not param.required):
            continue
        given = value if param is bad else ordinary(param, files)
        if isinstance(param, click.Argument):
            words.append(given)
        elif isinstance(param, click.Option) and param.is_flag:
            continue
        else:
            words += [param.opts[0], given]
    return words


def cases() -> list[tuple[list[str], str]]:
    """(command words, parameter name) for every parameter of every command (and the command alone)."""
    found = []
    for path, command in leaf_commands():
        found.append((path, ""))
        found += [(path, p.name) for p in command.params
                  if p.name != "help" and not (isinstance(p, click.Option) and p.is_flag)]
    return found


def run(runner: CliRunner, env: dict[str, str], words: list[str]) -> str | None:
    """Run one command line; what went wrong, if it printed a traceback or raised anything but SystemExit."""
    result = runner.invoke(ordinance, words, env=env, input="")
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        return f"ordinance {' '.join(words)!r}: {type(result.exception).__name__}: {result.exception}"
    if "Traceback" in result.output:
        return f"ordinance {' '.join(words)!r} printed a traceback:\n{result.output}"
    return None


@pytest.mark.parametrize("path,name", [pytest.param(p, n, id=" ".join(p) + (f" {n}" if n else ""))
                                       for p, n in cases()])
def test_bad_input_gets_a_message_not_a_traceback(path, name, quick, committing_url, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)  # whatever a command writes beside it stays in the test's folder
    files = tmp_path / "files"
    (files / "folder").mkdir(parents=True)
    (files / "empty.csv").write_text("")
    env = {"DATABASE_URL": committing_url, "ORDINANCE_INSTANCE": str(tmp_path / "instance")}
    command = dict((tuple(p), c) for p, c in leaf_commands())[tuple(path)]
    runner = CliRunner()
    if not name:
        problems = [run(runner, env, argv(path, command, None, "", files))]
    else:
        [param] = [p for p in command.params if p.name == name]
        problems = [run(runner, env, argv(path, command, param, value, files)) for value in bad_values(param, files)]
    problems = [p for p in problems if p]
    assert not problems, "\n".join(problems)


def test_a_refund_above_the_credit_left_is_refused_with_a_message(committing_db, committing_url, tmp_path):
    """`cases take .. issue_check` after the credit shrank below the amount asked: exit 1, the reason, no traceback."""
    from datetime import date

    from engine.workflow import services
    from tests.factories import create_account
    from tests.workflow.conftest import REPO, add_staff, at, charge, pay

    catalog = services.Catalog.load(REPO / "rules", REPO / "workflows", APPROVAL_ROLE_IDS)
    day = date(2026, 5, 5)
    with committing_db() as session, session.begin():
        add_staff(session)
        account = create_account(session)
        charge(session, account.id, "80.00", on=date(2026, 4, 1), due_on=date(2026, 4, 22))
        pay(session, account.id, "80.00", on=date(2026, 4, 20))
        pay(session, account.id, "80.00", on=date(2026, 4, 21))
        case = services.open_case(session, catalog, "refunds", account.id, actor="carla", on=day, now=at(day),
                                  fields={"amount": "80.00", "source": "overpayment"})
        for step, user, form in (("research", "carla", {"research_notes": "paid twice"}), ("approve", "colin", {})):
            services.take_step(session, catalog, case.id, step, user=user, on=day, now=at(day), form=form,
                               version=case.version)
        charge(session, account.id, "40.00", on=day, due_on=date(2026, 5, 26))  # the credit is now $40.00
        case_id, version = case.id, case.version
    env = {"DATABASE_URL": committing_url, "ORDINANCE_INSTANCE": str(tmp_path / "instance")}
    result = CliRunner().invoke(ordinance, ["cases", "take", str(case_id), "issue_check", "--as", "carla",
                                            "--field", "check_number=100482", "--version", str(version),
                                            "--on", "2026-05-06"], env=env)
    assert result.exit_code == 1, result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)
    assert "Traceback" not in result.output
    assert "issue_check refused:" in result.output and "40.00" in result.output  # the credit left, named
