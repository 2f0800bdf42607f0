"""A real Chromium signs the demo clerk in through the real `ordinance serve` (gunicorn) on a small sample city."""
from __future__ import annotations

import socket
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.web.served import Served, ordinance, start_serve
from webapp.config import is_loopback
from tests.web.test_browser_login import chromium  # noqa: F401  (fixture)

pytestmark = pytest.mark.browser


@pytest.fixture()
def city(tmp_path: Path) -> Path:
    """A fresh SQLite instance folder with a 50-account sample city."""
    instance = tmp_path / "instance"
    ordinance(instance, "demo", "--accounts", "50", "--licenses", "10")
    return instance


@pytest.fixture()
def served(city: Path) -> Iterator[Served]:
    """The sample city served by gunicorn on a free loopback port."""
    server = start_serve(city, "--no-scheduler")
    yield server
    assert server.stop() == 0, server.output()


def network_address() -> str:
    """This machine's address on its network (no packet is sent), or skip the test."""
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as probe:
        try:
            probe.connect(("192.0.2.1", 9))  # TEST-NET-1: only picks the outgoing interface
        except OSError:
            pytest.skip("this machine has no network address besides loopback")
        address = probe.getsockname()[0]
    if is_loopback(address) or address == "0.0.0.0":
        pytest.skip("this machine has no network address besides loopback")
    return address


def sign_in_as_the_clerk(page, url: str) -> int:
    """Post the demo clerk's sign-in form; the status of the answer to the post."""
    page.goto(url + "/login")
    page.get_by_label("Username").fill("clerk")
    page.get_by_label("Password").fill("clerk-demo-2026")
    with page.expect_response(lambda response: response.request.method == "POST") as answer:
        page.get_by_role("button", name="Sign in").click()
    return answer.value.status


def test_the_demo_clerk_signs_in_through_gunicorn_and_sees_the_dashboard(served, chromium):
    page = chromium
    page.goto(served.url + "/")
    assert page.url == served.url + "/login?next=/"

    page.get_by_label("Username").fill("clerk")
    page.get_by_label("Password").fill("clerk-demo-2026")  # README's demo login
    page.get_by_role("button", name="Sign in").click()
    assert page.url == served.url + "/"
    assert page.get_by_role("heading", name="Dashboard").is_visible()
    assert page.get_by_text("Signed in as Rosa Delgado.").is_visible()
    assert page.get_by_text("active utility accounts").is_visible()
    assert "with gunicorn" in served.output() and "Sign-in cookies not Secure: plain http on loopback." in \
        served.output()


def test_plain_http_off_loopback_signs_in_only_on_a_trusted_network(city, chromium):
    """Over http to the network address, Secure cookies are dropped (a 400) until ORDINANCE_PLAIN_HTTP=trusted."""
    address = network_address()
    for plain_http, status, says in (("", 400, "cookies are Secure: serve behind https"),
                                     ("trusted", 302, "plain http on a trusted network")):
        server = start_serve(city, "--host", address, "--no-scheduler", ready_host=address,
                             ORDINANCE_PLAIN_HTTP=plain_http)
        try:
            assert sign_in_as_the_clerk(chromium, server.url) == status
        finally:
            assert server.stop() == 0, server.output()
        assert says in server.output()
    assert chromium.get_by_text("Signed in as Rosa Delgado.").is_visible()
