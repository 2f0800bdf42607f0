"""The command line names the member of staff a command acts as one way, `--as USERNAME`, in every command.

The cash commands said `--user` and `payments return` said `--actor`; those spellings are still taken (hidden: not
in --help, not in a usage error) so that scripts written with them keep working.
"""
from __future__ import annotations

import click
from sqlalchemy import select

from engine.store.models import CashDrawer, User
from tests.factories import NOW, save_city
from webapp.cli import main
from webapp.cli.context import ActingUser

OLD_SPELLINGS = {"--user", "--actor", "--username", "--by", "--as-user"}


def _commands() -> list[tuple[str, click.Command, click.Context]]:
    """Every command of `ordinance` (groups walked), with its context."""
    found = []

    def walk(ctx: click.Context, path: str) -> None:
        command = ctx.command
        if isinstance(command, click.Group):
            for name in command.list_commands(ctx):
                walk(click.Context(command.get_command(ctx, name), info_name=name, parent=ctx), f"{path} {name}")
        else:
            found.append((path, command, ctx))

    walk(click.Context(main, info_name="ordinance"), "ordinance")
    return found


def _acting(command: click.Command) -> list[click.Option]:
    """The options of a command that name who it acts as: `--as` or one of the old spellings."""
    return [param for param in command.params if isinstance(param, click.Option)
            and (isinstance(param, ActingUser) or {"--as", *OLD_SPELLINGS} & set(param.opts))]


def test_every_command_that_acts_as_someone_takes_as():
    """Walk the command tree: each option naming the acting user is an ActingUser whose name is --as; its help shows
    --as only; parsing `--as carla` gives the command its user. The cash commands, payments return, the GL export,
    cases, users and roles are among them (so the walk finds what it checks)."""
    acting = {}
    for path, command, ctx in _commands():
        options = _acting(command)
        assert len(options) <= 1, f"{path}: more than one acting-user option"
        for option in options:
            assert isinstance(option, ActingUser), f"{path}: {option.opts} is a plain option, not --as"
            assert option.opts[0] == "--as" and set(option.opts) - {"--as"} <= set(option.was), path
            help_line = option.get_help_record(ctx)[0]
            assert help_line == "--as USERNAME", (path, help_line)
            values, _, _ = command.make_parser(ctx).parse_args(["--as", "carla"])
            assert values[option.name] == "carla", path
            acting[path] = set(option.was)
    assert {f"ordinance {name}" for name in ("cash open", "cash pay", "cash count", "cash close-day",
                                             "payments return", "reports gl-export", "cases open", "cases steps",
                                             "cases take", "users approve", "users refuse", "users role",
                                             "users add", "roles add", "roles grant")} <= set(acting)
    assert acting["ordinance payments return"] == {"--actor"}
    assert all(acting[f"ordinance cash {name}"] == {"--user"} for name in ("open", "pay", "count", "close-day"))
    shown = {opt for _, command, ctx in _commands() for param in command.params
             if isinstance(param, click.Option) and param.get_help_record(ctx)
             for opt in param.get_help_record(ctx)[0].replace(",", " ").split() if opt.startswith("--")}
    assert not shown & OLD_SPELLINGS, shown & OLD_SPELLINGS


def test_as_and_the_old_spelling_both_open_a_drawer_and_a_missing_as_is_named(cli, committing_db):
    with committing_db() as session:
        session.add_all([User(username="cal", full_name="Cal Clerk", role="clerk", password_hash="-", created_at=NOW),
                         User(username="cat", full_name="Cat Clerk", role="clerk", password_hash="-", created_at=NOW)])
        save_city(session)
        session.commit()
    assert cli("cash", "open", "--as", "cal", "--opening", "10.00", "--date", "2026-03-02").exit_code == 0
    old = cli("cash", "open", "--user", "cat", "--opening", "5.00", "--date", "2026-03-02")
    assert old.exit_code == 0, old.output
    with committing_db() as session:
        opened = session.execute(select(User.username, CashDrawer.opening_cents).join(CashDrawer,
                                 CashDrawer.clerk_id == User.id).order_by(User.username)).all()
    assert [tuple(row) for row in opened] == [("cal", 1000), ("cat", 500)]
    missing = cli("cash", "count", "1", "--cash", "10.00")
    assert missing.exit_code == 2 and "Missing option '--as'" in missing.output, missing.output
    assert "--user" not in missing.output and "--user" not in cli("cash", "count", "--help").output
