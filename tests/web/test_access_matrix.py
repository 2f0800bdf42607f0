"""The access matrix: every route of the app, for every role and for a stranger, GET and POST.

Walks `app.url_map` itself, so a route added tomorrow is in the matrix without anyone listing
it. For each route and each of: nobody signed in, a clerk, a supervisor, an administrator:

- a stranger is sent to sign in (302 to /login) or refused (401 for the API's bearer tokens,
  403), never shown the page;
- a signed-in role the route does not declare gets 403;
- a role the route declares is let in: anything but 403, and never a 500 — also when the
  route's record numbers name nothing (404) and when a form arrives empty (400 or the form
  again with its errors).
"""
from __future__ import annotations

import pytest
from flask import Flask
from werkzeug.routing import Rule

from engine.duties import SAMPLE_DUTY_ROLES
from webapp.auth.access import _DUTY_ATTR, _PUBLIC_ATTR, _ROLES_ATTR

ROLES = ("clerk", "supervisor", "admin")
API_PREFIX = "/api/"


def _url(rule: Rule) -> str:
    """The rule's path with every variable filled (a record number 1, a word x)."""
    values = {}
    for name in rule.arguments:
        converter = type(rule._converters[name]).__name__.lower()  # noqa: SLF001 (werkzeug keeps them here)
        values[name] = "1" if "integer" in converter or "int" in converter else "x"
    path = rule.rule
    for name, value in values.items():
        path = path.replace(f"<{name}>", value)
        for kind in ("int", "string", "path", "float", "any"):
            path = path.replace(f"<{kind}:{name}>", value)
    return path


def routes(app: Flask) -> list[tuple[Rule, str, frozenset[str] | None, bool]]:
    """(rule, method, declared roles, public) for every route and method except static files, HEAD and OPTIONS.

    A counter duty (`duty_required`) declares the roles the city's setting names: the sample city's here
    (supervisors and administrators), the city of these tests having saved none.
    """
    found = []
    for rule in app.url_map.iter_rules():
        if rule.endpoint == "static":
            continue
        view = app.view_functions[rule.endpoint]
        for method in sorted((rule.methods or set()) - {"HEAD", "OPTIONS"}):
            duty = getattr(view, _DUTY_ATTR, None)
            roles = frozenset(SAMPLE_DUTY_ROLES[duty]) if duty else getattr(view, _ROLES_ATTR, None)
            found.append((rule, method, roles, bool(getattr(view, _PUBLIC_ATTR, False))))
    return found


def test_the_matrix_covers_the_whole_app(app):
    """Every route is either public or declares roles (a forgotten declaration would be refused to all)."""
    listed = routes(app)
    assert len(listed) >= 50
    undeclared = [rule.rule for rule, _, roles, public in listed if roles is None and not public]
    assert not undeclared, f"routes that declare no roles: {undeclared}"


def test_a_stranger_opens_no_staff_page(app, client):
    for rule, method, roles, public in routes(app):
        if public:
            continue
        response = client.open(_url(rule), method=method)
        if rule.rule.startswith(API_PREFIX):
            assert response.status_code in (401, 403), (method, rule.rule, response.status_code)
        else:
            assert response.status_code in (302, 401, 403), (method, rule.rule, response.status_code)
            if response.status_code == 302:
                assert response.headers["Location"].startswith("/login"), (method, rule.rule)


@pytest.mark.parametrize("role", ROLES)
def test_each_role_opens_what_it_is_declared_for_and_nothing_else(app, login_as, role):
    client = login_as(role)
    failures = []
    for rule, method, roles, public in routes(app):
        if public or rule.rule.startswith(API_PREFIX) or rule.endpoint in ("auth.logout",):
            continue
        response = client.open(_url(rule), method=method, data={})
        code = response.status_code
        if roles is not None and role not in roles:
            if code != 403:
                failures.append(f"{method} {rule.rule}: {role} not declared, got {code}")
        elif code == 403 or code >= 500:
            failures.append(f"{method} {rule.rule}: {role} declared, got {code}")
    assert not failures, "\n".join(failures)


def test_the_approval_roles_pages_are_in_the_matrix_for_administrators_only(app):
    """Administration > Roles (issue 13 item 2): each of its routes is walked above, declared for admin alone."""
    declared = {(rule.rule, method): roles for rule, method, roles, _ in routes(app)
                if rule.rule.startswith("/admin/roles")}
    assert declared == {("/admin/roles", "GET"): frozenset({"admin"}), ("/admin/roles", "POST"): frozenset({"admin"}),
                        ("/admin/roles/<role_id>", "POST"): frozenset({"admin"}),
                        ("/admin/roles/grant", "POST"): frozenset({"admin"}),
                        ("/admin/roles/revoke", "POST"): frozenset({"admin"})}


def test_the_service_pages_are_in_the_matrix_for_every_staff_role(app):
    """Start, stop and transfer of service (issue 14 item 1): each route walked above, open to every staff role."""
    declared = {(rule.rule, method): roles for rule, method, roles, _ in routes(app)
                if rule.rule.startswith("/service/")}
    staff = frozenset(ROLES)
    assert declared == {("/service/start", "GET"): staff, ("/service/start/<parcel>", "GET"): staff,
                        ("/service/start/<parcel>/review", "POST"): staff, ("/service/start/<parcel>", "POST"): staff,
                        ("/service/stop/<number>", "GET"): staff, ("/service/stop/<number>/review", "POST"): staff,
                        ("/service/stop/<number>", "POST"): staff, ("/service/transfer/<number>", "GET"): staff,
                        ("/service/transfer/<number>/review", "POST"): staff,
                        ("/service/transfer/<number>", "POST"): staff, ("/service/meter/<number>", "GET"): staff,
                        ("/service/meter/<number>", "POST"): staff}
