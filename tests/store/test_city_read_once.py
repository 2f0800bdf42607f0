"""The city's settings are read once per transaction; a new transaction reads them again."""
from __future__ import annotations

from sqlalchemy import event

from engine.city import get_city
from engine.store.models import CitySettings
from samplecity.city import city_settings_row


def test_the_settings_are_read_once_a_transaction_and_a_change_committed_elsewhere_is_seen_in_the_next(committing_db):
    with committing_db() as setup, setup.begin():
        setup.add(CitySettings(**city_settings_row()))
    reads = []
    with committing_db() as clerk, committing_db() as admin:
        def counted(conn, cursor, statement, *_):
            if "FROM city_settings ORDER BY" in statement:  # get_city's read (not the admin's own by id)
                reads.append(statement)
        event.listen(clerk.get_bind(), "before_cursor_execute", counted)
        first = get_city(clerk)
        assert get_city(clerk) is first and get_city(clerk).name == first.name
        assert len(reads) == 1
        clerk.commit()  # (SQLite: one writer at a time, and the clerk's transaction holds the lock)
        admin.get(CitySettings, first.id).name = "Renamed City"
        admin.commit()
        clerk.expire_all()  # (a session keeps what it loaded across a commit: a query does not refresh it)
        assert get_city(clerk).name == "Renamed City" and len(reads) == 2
        assert get_city(clerk).name == "Renamed City" and len(reads) == 2
        clerk.rollback()
        get_city(clerk)
        assert len(reads) == 3


def test_a_change_made_in_the_session_is_what_it_reads_and_no_row_gives_the_defaults(db):
    city = get_city(db)
    assert city.id is None  # nothing saved yet: the defaults, not kept
    db.add(CitySettings(**city_settings_row()))
    db.flush()
    saved = get_city(db)
    assert saved.id is not None and saved.name == city_settings_row()["name"]
    saved.name = "Changed Here"
    assert get_city(db).name == "Changed Here"
    db.rollback()
    assert get_city(db).id is None  # the insert was rolled back: read again, nothing there
