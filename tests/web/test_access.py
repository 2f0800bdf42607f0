"""Deny by default: who may open which page, and what a forgotten declaration does."""
from __future__ import annotations

import re

import pytest

from tests.factories import sample_version
from webapp.auth import public, role_required


def test_a_stranger_is_sent_to_sign_in(client):
    response = client.get("/")
    assert response.status_code == 302
    assert response.headers["Location"] == "/login?next=/"


@pytest.mark.parametrize("path", ["/admin/users", "/admin/city", "/admin/roles"])
def test_a_clerk_opening_an_admin_page_is_refused(clerk, path):
    response = clerk.get(path)
    assert response.status_code == 403
    assert b"Your role does not open this page" in response.data


WORKFLOW_PAGES = ("/workflows/refunds/draft", "/workflows/refunds/drafts/2")
WORKFLOW_POSTS = ("/workflows/refunds/draft", "/workflows/refunds/drafts/2/preview",
                  "/workflows/refunds/drafts/2/publish")


@pytest.mark.parametrize("path", WORKFLOW_PAGES)
def test_a_clerk_opening_a_workflow_page_is_refused(clerk, path):
    """Workflows are drafted, previewed and published by supervisors and administrators."""
    response = clerk.get(path)
    assert response.status_code == 403
    assert b"Your role does not open this page" in response.data


@pytest.mark.parametrize("path", WORKFLOW_POSTS)
def test_a_clerk_cannot_draft_preview_or_publish_a_workflow(clerk, path):
    assert clerk.post(path, data={"text": "id: refunds", "save": "Save draft"}).status_code == 403


@pytest.mark.parametrize("role", ["supervisor", "admin"])
def test_supervisors_and_administrators_open_the_workflows_page(login_as, role):
    page = login_as(role).get("/")
    assert 'href="/workflows/"' in page.get_data(as_text=True)
    assert login_as(role).get("/workflows/").status_code == 200


def test_a_supervisor_cannot_add_users(supervisor, db):
    response = supervisor.post("/admin/users", data={"username": "sneaky", "full_name": "Sneaky", "role": "admin",
                                                     "password": "password123", "confirm": "password123"})
    assert response.status_code == 403
    from engine.users import get_user
    assert get_user(db, "sneaky") is None


def test_an_admin_opens_admin_pages(admin):
    assert admin.get("/admin/users").status_code == 200
    assert admin.get("/admin/city").status_code == 200
    assert admin.get("/admin/roles").status_code == 200


def test_a_route_that_declares_no_roles_is_refused_even_to_an_admin(app, login_as):
    @app.route("/forgotten")
    def forgotten():
        """A page whose author forgot role_required."""
        return "secret"

    admin = login_as("admin")
    response = admin.get("/forgotten")
    assert response.status_code == 403
    assert b"secret" not in response.data
    assert app.test_client().get("/forgotten").status_code == 403


def test_declared_routes_open_to_their_roles_only(app, login_as):
    @app.route("/supervisors-only")
    @role_required("supervisor")
    def supervisors_only():
        """A test page for supervisors."""
        return "for supervisors"

    @app.route("/anyone")
    @public
    def anyone():
        """A test page for everyone."""
        return "for anyone"

    assert login_as("supervisor").get("/supervisors-only").data == b"for supervisors"
    assert login_as("clerk").get("/supervisors-only").status_code == 403
    assert app.test_client().get("/anyone").data == b"for anyone"


def test_role_required_refuses_unknown_roles():
    with pytest.raises(ValueError):
        role_required("mayor")


def test_the_menu_shows_only_pages_that_exist_and_the_role_may_open(clerk, admin):
    clerk_page = clerk.get("/").get_data(as_text=True)
    admin_page = admin.get("/").get_data(as_text=True)
    assert 'href="/admin/users"' not in clerk_page and 'href="/admin/users"' in admin_page
    assert 'href="/admin/city"' in admin_page
    assert ">Rules<" not in admin_page or 'href="/rules' in admin_page  # shown only once the page exists


@pytest.mark.parametrize("role", ["clerk", "supervisor", "admin"])
def test_the_menu_names_each_page_once(login_as, role):
    """Every menu had Workflows twice (MENU listed workflows.index twice)."""
    page = login_as(role).get("/").get_data(as_text=True)
    menu = page[page.index('<nav class="site-nav"'):page.index("</nav>")]
    links = re.findall(r'<a href="([^"]+)"', menu)
    assert links and len(links) == len(set(links))


def test_the_health_check_is_public(client):
    response = client.get("/health")
    assert response.status_code == 200 and response.json == {"status": "ok"}


def test_every_page_of_the_real_app_declares_who_may_open_it(app):
    from webapp.auth.access import declared_roles, is_public
    with app.test_request_context():
        undeclared = [endpoint for endpoint in app.view_functions
                      if not is_public(endpoint) and not declared_roles(endpoint)]
    assert undeclared == []  # they would answer 403 to everyone: declare role_required(...) or public


def test_a_page_appears_in_the_menu_for_the_roles_it_declares(app, login_as, monkeypatch):
    from flask import Blueprint

    from webapp import navigation
    from webapp.auth import SUPERVISORS
    monkeypatch.setattr(navigation, "MENU", navigation.MENU + (("Stand-in", "standin.index"),
                                                               ("Not built", "not_built.index")))
    standin = Blueprint("standin", __name__)

    @standin.route("/standin")
    @role_required(*SUPERVISORS)
    def index():
        """A stand-in page for supervisors."""
        return "stand-in"

    app.register_blueprint(standin)
    supervisor_page = login_as("supervisor").get("/").get_data(as_text=True)
    assert 'href="/standin"' in supervisor_page
    assert 'href="/standin"' not in login_as("clerk").get("/").get_data(as_text=True)
    assert "Not built" not in login_as("admin").get("/").get_data(as_text=True)


def test_templates_carry_no_inline_script_style_or_safe_filter():
    """The only scripts are files the app serves itself (the CSP allows 'self'), with nothing inline between the tags;
    no inline style, no |safe."""
    import re
    from pathlib import Path
    templates = Path(__file__).resolve().parents[2] / "templates"
    served = re.compile(r"""<script src="\{\{ url_for\('static', filename='[\w./-]+'\) \}\}"(?: defer)?></script>""")
    for path in templates.rglob("*.html"):
        if "notices" in path.parts:
            continue  # the PDF notices are another renderer's concern
        text = path.read_text()
        assert "<script" not in served.sub("", text) and "style=" not in text, path  # the CSP would block them
        assert "|safe" not in text.replace(" ", "") and "Markup(" not in text, path


READ_BY_ALL_STAFF = ("/rules/", "/rules/late-fee", "/rules/water-rates-residential/diff", "/workflows/",
                     "/workflows/delinquency", f"/workflows/liens?version={sample_version('liens')}")


@pytest.mark.parametrize("path", READ_BY_ALL_STAFF)
@pytest.mark.parametrize("role", ["clerk", "supervisor", "admin"])
def test_rule_and_workflow_pages_are_read_by_every_staff_role(login_as, role, path):
    assert login_as(role).get(path).status_code == 200


@pytest.mark.parametrize("path", READ_BY_ALL_STAFF)
def test_rule_and_workflow_pages_send_a_stranger_to_sign_in(client, path):
    assert client.get(path).status_code == 302


@pytest.mark.parametrize("path", ["/rules/late-fee/draft", "/rules/approvals"])
def test_drafting_stays_with_supervisors(login_as, path):
    assert login_as("clerk").get(path).status_code == 403
    assert login_as("supervisor").get(path).status_code in (200, 409)  # 409: the rule store is empty
