"""The icon browsers show on the tab: linked from every page, and answered at /favicon.ico for those that ask."""
from __future__ import annotations

import re
from pathlib import Path

ICON = Path(__file__).resolve().parents[2] / "webapp" / "static" / "favicon.svg"


def test_every_page_links_the_icon_and_it_is_served(client, clerk):
    for page in (client.get("/login"), clerk.get("/")):
        head = page.get_data(as_text=True).split("</head>")[0]
        link = re.search(r'<link rel="icon" href="([^"]+)" type="image/svg\+xml">', head)
        assert link and link.group(1) == "/static/favicon.svg", head
        icon = client.get(link.group(1))
        assert icon.status_code == 200 and icon.mimetype == "image/svg+xml"
        assert icon.get_data() == ICON.read_bytes()


def test_favicon_ico_answers_anyone_with_the_icon(client):
    response = client.get("/favicon.ico")  # no one signed in: browsers ask before any sign-in
    assert response.status_code == 200 and response.mimetype == "image/svg+xml"
    assert response.get_data() == ICON.read_bytes()
    assert response.get_data().startswith(b'<svg xmlns="http://www.w3.org/2000/svg"')
