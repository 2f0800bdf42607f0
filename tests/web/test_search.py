"""Find anyone: one search box on every page, ranked results by name, street, phone, e-mail and numbers."""
from __future__ import annotations

import re

import pytest
from sqlalchemy import select, text

from engine.store.models import Customer, Property, UtilityAccount
from tests.factories import create_account, create_business, create_customer, create_license, create_property
from tests.web.pages import fixed_clock  # noqa: F401  (fixture)
from webapp.search import finder
from webapp.search.typed import fts5_words, read_typed, tsquery_words


def account_at(db, name: str, address: str, number: str | None = None, **customer):
    """An account (numbered `number`, if given) of a new customer called `name` at `address`, a parcel of its own."""
    person = create_customer(db, name=name, **customer)
    numbered = {"number": number} if number else {}
    return create_account(db, customer=person, property=create_property(db, owner=person, service_address=address),
                          **numbered)


def numbers_found(db, typed: str) -> list[str]:
    """The account numbers the search finds for `typed`, best first."""
    return [found.account.number for found in finder.find(db, typed).found if found.account]


def test_any_word_of_a_name_finds_every_garcia(db):
    garcias = [account_at(db, f"{first} Garcia", f"{10 + n} Quail Court")
               for n, first in enumerate(("Maria", "Jose", "Ana", "Luis", "Rosa") * 4)]
    garcias += [account_at(db, "Elena Garcia Lopez", "4 Quail Court"), account_at(db, "Juan Lopez-Garcia", "6 Quail Court"),
                account_at(db, "GARCIA FAMILY TRUST", "8 Quail Court")]
    account_at(db, "Gary Garciaparra", "12 Wren Way")
    found = numbers_found(db, "Garcia")
    assert len(garcias) == 23 and set(found[:23]) == {a.number for a in garcias}
    assert len(found) == 24  # and Garciaparra, after them: the word starts with it
    assert set(numbers_found(db, "garcia lopez")) == {garcias[20].number, garcias[21].number}


def test_a_street_name_finds_the_street_first_and_similar_streets_after(db):
    mill = [account_at(db, f"Resident {n}", f"{100 + 2 * n} Mill Street") for n in range(3)]
    millbrook = account_at(db, "Other Resident", "15 Millbrook Street")
    found = numbers_found(db, "Mill Street")
    assert set(found[:3]) == {a.number for a in mill} and found[3] == millbrook.number
    # 102 Mill Street first; another test account may follow when its generated parcel (T000011102) holds "102"
    assert numbers_found(db, "102 mill")[0] == mill[1].number


# (as the address is written, as a clerk types it, a near miss that must not be found)
STREET_WORDS = [
    ("123 Main St", "123 Main Street", "123 Main Court"),
    ("410 N Oak Ave", "410 North Oak Avenue", "410 S Oak Ave"),
    ("7 Elm Rd", "7 Elm Road", "7 Elm Dr"),
    ("88 Sunset Dr", "88 Sunset Drive", "88 Sunset Blvd"),
    ("15 Foothill Blvd", "15 Foothill Boulevard", "15 Foothill Rd"),
    ("6 Willow Ln", "6 Willow Lane", "6 Willow Ct"),
    ("14 Heron Ct", "14 Heron Court", "14 Heron Pl"),
    ("2 Plover Pl", "2 Plover Place", "2 Plover Ln"),
    ("1500 Grass Valley Hwy", "1500 Grass Valley Highway", "1500 Grass Valley Pkwy"),
    ("700 Industrial Pkwy", "700 Industrial Parkway", "700 Industrial Hwy"),
    ("55 Cedar St NE", "55 Cedar Street Northeast", "55 Cedar St NW"),
    ("9 W Pine St", "9 West Pine Street", "9 E Pine St"),
    ("410 1st Ave", "410 First Avenue", "410 2nd Ave"),
    ("36 21st St", "36 Twenty-First Street", "36 22nd St"),
    ("8 Twentieth St", "8 20th Street", "8 Tenth St"),
    ("64 Ninety Ninth Ave", "64 99th Avenue", "64 Ninety Eighth Ave"),
    ("55 Cedar St NE", "55 Cedar Street North East", "55 Cedar St NW"),
    ("12 NW Elm Rd", "12 North-West Elm Road", "12 NE Elm Rd"),
    ("7 South East Pine Ln", "7 SE Pine Lane", "7 South West Pine Ln"),
    ("3 Southwest Alder Ct", "3 South-West Alder Court", "3 Southeast Alder Ct"),
    ("120 St Paul Ave", "120 Saint Paul Avenue", "120 St Peter Ave"),
    ("31 Ste Marie Rd", "31 Sainte Marie Road", "31 Saint Marie Rd"),
    ("5 101st St", "5 One Hundred First Street", "5 102nd St"),
    ("9 112th Ave", "9 One Hundred Twelfth Avenue", "9 One Hundred Eleventh Ave"),
    ("3 201st St", "3 Two Hundred First Street", "3 101st St"),
    ("44 One Hundred Twenty-First St", "44 121st Street", "44 Twenty-First St"),
    ("6 101st St", "6 One Hundred and First Street", "6 102nd St"),
    ("21 One Hundred and Twenty-First Ave", "21 121st Avenue", "21 Twenty-First Ave"),
    ("2 SW Alder Ct", "2 S.W. Alder Court", "2 SE Alder Ct"),
]


@pytest.mark.parametrize("written, typed, near_miss", STREET_WORDS + [(b, a, c) for a, b, c in STREET_WORDS])
def test_a_service_address_is_found_by_either_way_of_writing_its_suffix_and_direction(db, written, typed, near_miss):
    account = account_at(db, "Pat Quill", written)
    account_at(db, "Lee Quill", near_miss)
    found = finder.find(db, typed).found
    assert [(f.account.number, f.matched) for f in found if f.how == "whole word"] == [
        (account.number, f"service address {written}")], typed
    assert numbers_found(db, typed.lower())[0] == account.number  # the near miss may follow ("pl" starts "Plover")


def test_a_street_word_typed_short_or_long_finds_both_ways_of_writing_it(db):
    street = account_at(db, "Pat Quill", "12 Osprey Street")
    st = account_at(db, "Lee Quill", "14 Osprey St.")
    for typed in ("Osprey St", "Osprey Street", "osprey str", "OSPREY ST."):
        assert set(numbers_found(db, typed)) == {street.number, st.number}, typed
    assert numbers_found(db, "14 osprey street") == [st.number]


def test_saint_and_st_find_each_other_and_st_still_finds_street(db):
    """"St" may be Saint or Street; "Saint" is only Saint, "Street" only Street (engine.addresses)."""
    st_paul = account_at(db, "Pat Quill", "123 St Paul Street")
    saint_paul = account_at(db, "Lee Quill", "123 Saint Paul St")
    dotted = account_at(db, "Kim Quill", "125 St. Paul Ave")
    paul_street = account_at(db, "Ash Quill", "123 Paul Street")
    main = account_at(db, "Ola Quill", "9 Main Street")

    def whole_words(typed: str) -> set[str]:
        return {f.account.number for f in finder.find(db, typed).found if f.how == "whole word"}

    assert whole_words("123 Saint Paul St") == {st_paul.number, saint_paul.number}  # not 123 Paul Street
    # the other way round; "123 Paul Street" too, as its Street is a form of the typed "St"
    assert whole_words("123 St Paul Street") == {st_paul.number, saint_paul.number, paul_street.number}
    assert whole_words("Saint Paul") == {st_paul.number, saint_paul.number, dotted.number}
    assert whole_words("St. Paul Ave") == {dotted.number}
    assert whole_words("Main St") == {main.number}


def test_ste_and_sainte_find_each_other_and_ste_as_suite_is_still_found_as_written(db):
    """"Ste" may be Sainte or Suite; "Sainte" is only Sainte, never Saint (engine.addresses)."""
    ste_marie = account_at(db, "Pat Quill", "12 Ste Marie Rd")
    sainte_marie = account_at(db, "Lee Quill", "14 Sainte Marie Road")
    saint_marie = account_at(db, "Kim Quill", "16 Saint Marie Rd")
    suite = account_at(db, "Ash Quill", "100 Main St Ste 200")
    account_at(db, "Ola Quill", "100 Main St Ste 300")

    def whole_words(typed: str) -> set[str]:
        return {f.account.number for f in finder.find(db, typed).found if f.how == "whole word"}

    assert whole_words("Ste Marie Rd") == whole_words("Sainte Marie Road") == {ste_marie.number, sainte_marie.number}
    assert whole_words("Ste. Marie") == {ste_marie.number, sainte_marie.number}
    assert whole_words("Saint Marie") == whole_words("St Marie") == {saint_marie.number}
    assert whole_words("100 Main Street Ste 200") == whole_words("Main St Ste. 200") == {suite.number}


def test_north_east_written_as_two_words_is_still_two_words_side_by_side(db):
    """Two words read as one directional are also asked for as the two words: "North East Street" may be
    East Street, north; and "N E St" is E Street, north, as well as NE."""
    east_street = account_at(db, "Pat Quill", "100 N East St")
    e_street = account_at(db, "Lee Quill", "4 N E St")
    account_at(db, "Kim Quill", "100 S East St")
    assert numbers_found(db, "100 North East Street") == [east_street.number]
    assert numbers_found(db, "4 North E Street") == [e_street.number]


def test_a_directional_written_as_two_letters_is_found_as_ne(db):
    """"N E", "N-E" and "N.E." are NE on both databases: PostgreSQL's parser reads "N.E." as one word "n.e", so
    its words index reads the dots as spaces, as SQLite's does (migration 0038)."""
    spaced, hyphened = account_at(db, "Pat Quill", "5 N E Larch St"), account_at(db, "Lee Quill", "6 N-E Larch St")
    dotted, joined = account_at(db, "Kim Quill", "7 N.E. Larch St"), account_at(db, "Ash Quill", "8 NE Larch St")
    account_at(db, "Ola Quill", "9 N.W. Larch St")
    every = {spaced.number, hyphened.number, dotted.number, joined.number}
    for typed in ("NE Larch", "N.E. Larch", "n.e larch", "Northeast Larch", "North East Larch", "N E Larch"):
        assert set(numbers_found(db, typed)) == every, typed
        assert {f.account.number for f in finder.find(db, typed).found if f.how == "whole word"} == every, typed
    assert finder.find(db, "7 NE Larch").found[0].matched == "service address 7 N.E. Larch St"


def test_words_joined_by_punctuation_are_whole_words_on_both_databases(db):
    """PostgreSQL's parser joins words at dots, hyphens, slashes and @ (an e-mail, "St.Paul", "12-B"); its words
    index reads them as spaces, so a part is a whole word there as on SQLite, not only a part of a word."""
    account = account_at(db, "Ana Lopez-Ortiz", "12 St.Paul Way Unit 4/B", email="ana.ortiz7@example.com")
    for typed in ("ortiz7", "example", "lopez", "ortiz", "Saint Paul Way", "12 paul", "4 b"):
        assert [(f.account.number, f.how) for f in finder.find(db, typed).found] == [
            (account.number, "whole word")], typed


def test_a_business_address_is_found_either_way_too(db):
    bakery = create_business(db, name="Alder Creek Bakery", address="77 Depot St")
    for typed in ("77 Depot Street", "depot st", "Depot Str"):
        found = finder.find(db, typed).found
        assert [(f.business.id, f.matched) for f in found if f.business] == [
            (bakery.id, "business address 77 Depot St")], typed
    mill = create_business(db, name="Quarry Works", address="9 North-East First St")
    for typed in ("NE 1st Street", "northeast first", "North East 1st"):
        found = finder.find(db, typed).found
        assert [(f.business.id, f.matched, f.how) for f in found if f.business] == [
            (mill.id, "business address 9 North-East First St", "whole word")], typed


def test_start_service_finds_the_property_by_either_way_of_writing_its_address(clerk, db):
    account = account_at(db, "Pat Quill", "410 N Oak Ave")
    place = db.get(Property, account.property_id)
    account_at(db, "Lee Quill", "410 S Oak Ave")
    found = clerk.get("/service/start", query_string={"where": "410 North Oak Avenue"})
    assert found.status_code == 302 and found.headers["Location"].endswith(f"/service/start/{place.parcel}")
    listed = clerk.get("/service/start", query_string={"where": "Oak Avenue"}).get_data(as_text=True)
    assert "410 N Oak Ave</a>" in listed and "410 S Oak Ave</a>" in listed
    assert [p.service_address for p in finder.properties(db, "410 oak")] == ["410 N Oak Ave", "410 S Oak Ave"]
    assert [p.id for p in finder.properties(db, place.parcel)] == [place.id]
    assert "No property matches" in clerk.get("/service/start", query_string={"where": "410 Zebulon"}).get_data(
        as_text=True)


@pytest.mark.parametrize("typed", ["(530) 555-0142", "530-555-0142", "530.555.0142", "5305550142", "555-0142",
                                   "555 0142", "+1 530 555 0142"[3:]])
def test_a_phone_in_any_format_finds_the_customer(db, typed):
    account = account_at(db, "Ana Ortiz", "3 Heron Lane", phone="(530) 555-0142")
    account_at(db, "Someone Else", "5 Heron Lane", phone="916-555-0199")
    results = finder.find(db, typed)
    assert [f.account.number for f in results.found] == [account.number], typed
    assert results.found[0].matched == "phone (530) 555-0142"


def test_an_email_finds_the_customer(db):
    account = account_at(db, "Ana Ortiz", "3 Heron Lane", email="ana.ortiz7@example.com")
    for typed in ("ana.ortiz7@example.com", "ortiz7", "ANA.ORTIZ7@EXAMPLE.COM"):
        results = finder.find(db, typed)
        assert [f.account.number for f in results.found] == [account.number], typed
        assert results.found[0].matched == "e-mail ana.ortiz7@example.com", typed


def test_an_account_number_with_or_without_its_zeros_and_dashes(clerk, db):
    account = account_at(db, "Pat Quill", "9 Osprey Road", number="000460-08")
    other = account_at(db, "Lee Quill", "11 Osprey Road", number="004601-01")
    for typed in ("46008", "460-08", "000460-08", "00046008"):
        assert numbers_found(db, typed)[0] == account.number, typed
    assert set(numbers_found(db, "460")) == {account.number, other.number}  # both start 460...
    assert numbers_found(db, "4600") == [account.number]  # 46008, not 460101
    assert finder.find(db, "000460-08").found[0].matched == "account number 000460-08"
    response = clerk.get("/search/", query_string={"q": "460-08"})
    assert response.status_code == 302 and response.headers["Location"] == "/accounts/000460-08"


def test_license_numbers_business_names_and_parcels(clerk, db):
    bakery = create_business(db, name="Alder Creek Bakery", address="77 Depot Street")
    create_license(db, business=bakery, number="BL-Q00077")
    account = account_at(db, "Pat Quill", "9 Osprey Road")
    db.get(Property, account.property_id).parcel = "012-004-090"
    db.flush()
    for typed in ("bl-q00077", "BL-Q0007", "creek bak", "akery"):
        found = finder.find(db, typed).found
        assert [f.business.id for f in found if f.business] == [bakery.id], typed
    assert finder.find(db, "BL-Q0007").found[0].matched == "license BL-Q00077"
    assert finder.find(db, "akery").found[0].matched == "business name Alder Creek Bakery"
    assert numbers_found(db, "012-004-090") == [account.number]
    assert numbers_found(db, "012-004") == [account.number]
    response = clerk.get("/search/", query_string={"q": "BL-Q00077"})
    assert response.status_code == 302 and response.headers["Location"] == f"/businesses/{bakery.id}"


def test_results_are_ranked_exact_number_whole_word_start_of_a_word_then_part(db):
    part = account_at(db, "Ashlee Jones", "1 Finch Street")
    start = account_at(db, "Leeann Smith", "2 Finch Street")
    whole = account_at(db, "Lee Park", "3 Finch Street")
    results = finder.find(db, "lee")
    assert [(f.account.number, f.how) for f in results.found] == [
        (whole.number, "whole word"), (start.number, "start of a word"), (part.number, "part of a word")]
    assert [f.matched for f in results.found] == ["customer name Lee Park", "customer name Leeann Smith",
                                                  "customer name Ashlee Jones"]


def test_a_page_at_most(db):
    for n in range(finder.PAGE + 5):
        account_at(db, f"Pat Zanzibar {n}", f"{n} Plover Place")
    results = finder.find(db, "zanzibar")
    assert len(results.found) == finder.PAGE and results.full


def test_the_index_follows_every_change_of_name_phone_and_address(db):
    account = account_at(db, "Ana Ortiz", "3 Heron Lane", phone="530-555-0142")
    customer = db.get(Customer, account.customer_id)
    customer.name, customer.phone = "Ana Quintero", "916-555-7788"
    db.get(Property, account.property_id).service_address = "40 Kestrel Road"
    db.flush()
    assert numbers_found(db, "Quintero") == [account.number] and numbers_found(db, "Ortiz") == []
    assert numbers_found(db, "9165557788") == [account.number] and numbers_found(db, "5305550142") == []
    assert numbers_found(db, "Kestrel") == [account.number] and numbers_found(db, "Heron") == []


BAD_INPUT = ["%", "_", "%%", "'", '"', '"unbalanced', "o'brien", 'say "hi', "NEAR(a b)", "a OR b", "a AND NOT b",
             "*", "gar*", "^start", "col:umn", "name:maria", "-", "()", "(", ")", "{a b}", "\\", "; DROP TABLE x",
             "a" * 120, "ü" * 3, "日本語", "\u0000", "\U0010ffff", "x\U0010ffff", "12", "1", "-0-0-", "0000", "+", "..."]


@pytest.mark.parametrize("typed", BAD_INPUT)
def test_odd_input_gives_results_or_none_never_an_error(clerk, db, typed):
    account_at(db, "Maria O'Brien", "8 Gull Street")
    response = clerk.get("/search/", query_string={"q": typed})
    if "\x00" in typed:  # refused before any view reads it, as in every query string (webapp.security)
        assert response.status_code == 400 and "NUL character" in response.get_data(as_text=True)
    else:
        assert response.status_code in (200, 302), typed
    finder.find(db, typed)  # and the finder itself raises nothing


def test_text_longer_than_the_box_takes_is_refused_with_a_message(clerk, db):
    page = clerk.get("/search/", query_string={"q": "x" * 5000}).get_data(as_text=True)
    assert "Type at most 120 characters." in page


def test_percent_and_underscore_are_taken_literally(db):
    literal = create_business(db, name="50% Off Outlet")
    underscore = create_business(db, name="A_B Hardware")
    create_business(db, name="500 Club")
    create_business(db, name="AXB Hardware")
    assert [f.business.id for f in finder.find(db, "50%").found][0] == literal.id
    assert [f.business.id for f in finder.find(db, "%off").found] == [literal.id]
    assert [f.business.id for f in finder.find(db, "a_b").found][0] == underscore.id
    assert "AXB Hardware" not in [f.business.name for f in finder.find(db, "a_b h").found]


def test_the_search_box_is_on_every_staff_page_and_the_results_say_what_matched(fixed_clock, clerk, db):
    account = account_at(db, "Rosalind Quince", "1200 Mill Street", phone="530-555-0142")
    for path in ("/", "/accounts/", "/businesses/", f"/accounts/{account.number}"):
        assert 'role="search" aria-label="Site search"' in clerk.get(path).get_data(as_text=True), path
    page = clerk.get("/search/", query_string={"q": "quince"}).get_data(as_text=True)
    assert f'href="/accounts/{account.number}"' in page
    assert "customer name Rosalind Quince <span class=\"hint\">(whole word)</span>" in page
    assert "Nothing matches “Zebulon”" in clerk.get("/search/", query_string={"q": "Zebulon"}).get_data(as_text=True)
    assert clerk.get("/accounts/", query_string={"q": "quince"}).headers["Location"] == "/search/?q=quince"


def test_a_stranger_is_sent_to_sign_in(client):
    response = client.get("/search/", query_string={"q": "garcia"})
    assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_reading_what_was_typed():
    assert read_typed("  (530) 555-0142 ").words == ("5305550142",)
    assert read_typed("Mill  Street").words == ("mill", "street") and read_typed("Mill Street").text == "Mill Street"
    assert read_typed("000460-08").number == "46008"
    assert read_typed('NEAR(a "b")').words == ("near", "a", "b")
    assert read_typed("N Oak St").forms == (("n", "north"), ("oak",), ("st", "street", "str", "strt", "saint"))
    assert read_typed("North-East Oak, 1st").words == ("north east", "oak", "1st")
    assert read_typed("NE 1st").forms == (("ne", "northeast", "north east", "n e"), ("1st", "first"))
    # a form of two words is quoted whole: a phrase, the two words side by side, in both databases
    assert fts5_words(read_typed("21st"), starts=False) == '("21st" OR "twenty first")'
    assert tsquery_words(read_typed("21st"), starts=True) == "('21st':* | 'twenty first')"


# --- the indexes are used ----------------------------------------------------------------------------------


def sqlite_plan(db, sql: str, params: dict) -> str:
    """SQLite's query plan of a statement, its details joined."""
    return " | ".join(row[-1] for row in db.execute(text("EXPLAIN QUERY PLAN " + sql), params))


def test_every_search_reads_an_index_on_sqlite(db):
    if db.bind.dialect.name != "sqlite":
        pytest.skip("SQLite's plans")
    typed = read_typed("garc mill")
    street_words = fts5_words(read_typed("garc n mill st ne 21st"), starts=True)  # street words in any form, phrases
    for table in ("customer_words", "property_words", "business_words", "customer_grams", "property_grams",
                  "business_grams"):
        for match in ('"garc"*', street_words) if table.endswith("_words") else ('"garc"*',):
            plan = sqlite_plan(db, f"SELECT rowid FROM {table} WHERE {table} MATCH :m LIMIT 50", {"m": match})
            assert f"SCAN {table} VIRTUAL TABLE INDEX" in plan, plan  # FTS5 answers from its index
    from webapp.search.sources import SqliteSources
    query = select(UtilityAccount.id).where(SqliteSources(db).number_starts("460"))
    sql = str(query.compile(db.bind, compile_kwargs={"literal_binds": True}))
    plan = sqlite_plan(db, sql, {})
    assert "ix_utility_accounts_number_digits" in plan and "SCAN utility_accounts" not in plan, plan
    assert typed.words == ("garc", "mill")


def test_every_search_reads_its_gin_index_on_postgresql(db):
    if db.bind.dialect.name != "postgresql":
        pytest.skip("PostgreSQL's plans")
    from webapp.search import sources
    statements = []
    db.connection().exec_driver_sql("SET LOCAL enable_seqscan = off")

    class Recording(sources.PostgresSources):
        def _ids(self, source, where, params, limit):
            statements.append((source, where.format(document=sources.POSTGRES_DOCUMENTS[source]), params))
            return super()._ids(source, where, params, limit)

    recording = Recording(db)
    typed = read_typed("garc mill")
    for source in sources.SOURCES:
        recording.words(source, typed, starts=True, limit=50)
        recording.words(source, read_typed("garc n mill st ne 21st"), starts=False, limit=50)  # any form, phrases
        recording.pieces(source, typed, limit=50)
    for source, where, params in statements:
        sql = f"EXPLAIN SELECT id FROM {sources.TABLES[source]} WHERE {where} LIMIT 50"
        compiled = text(sql).bindparams(**params).compile(db.bind, compile_kwargs={"literal_binds": True})
        plan = " | ".join(row[0] for row in db.connection().exec_driver_sql(str(compiled)))  # values inline, as run
        kind = "words" if "to_tsvector" in where else "grams"
        assert f"ix_{sources.TABLES[source]}_search_{kind}" in plan, plan
    query = select(UtilityAccount.id).where(recording.number_starts("460"))
    compiled = query.compile(db.bind, compile_kwargs={"literal_binds": True})
    plan = " | ".join(row[0] for row in db.connection().exec_driver_sql("EXPLAIN " + str(compiled)))
    assert "ix_utility_accounts_number_digits" in plan, plan


def test_the_migration_indexes_the_rows_already_there(tmp_path):
    """Rows written at migration 0017 (through the tables as they were then, not today's models) are found once
    migration 0018 has made the search indexes."""
    from datetime import date, datetime, timezone

    from sqlalchemy import MetaData, insert

    from engine.store.db import make_engine, make_sessionmaker
    from engine.store.schema import upgrade
    from tests.conftest import _fresh_postgres_database, _postgres_url
    pg = _postgres_url()
    url, drop = _fresh_postgres_database(pg) if pg else (f"sqlite:///{tmp_path / 'before.db'}", lambda: None)
    engine = make_engine(url)
    try:
        upgrade(engine, "0017")  # every table as it was before the search indexes (migration 0018)
        tables = MetaData()
        tables.reflect(engine)
        now = datetime(2026, 3, 2, 17, tzinfo=timezone.utc)
        with engine.begin() as connection:
            connection.execute(insert(tables.tables["customers"]), [dict(
                id=1, name="Winifred Pomeroy", mailing_street="1200 Mill Street", mailing_unit="",
                mailing_city="Alder Creek", mailing_state="CA", mailing_zip="95601", language="en",
                phone="530-555-0142", email="winnie@example.org", low_income=False, created_at=now)])
            connection.execute(insert(tables.tables["properties"]), [dict(
                id=1, parcel="P000460", service_address="1200 Mill Street", owner_id=1)])
            connection.execute(insert(tables.tables["utility_accounts"]), [dict(
                id=1, number="000460-08", customer_id=1, property_id=1, cycle="A", meter_size='3/4"',
                rate_class="residential", services=["water", "sewer"], status="active", cash_only=False,
                opened_on=date(2024, 1, 1), version=1)])
            connection.execute(insert(tables.tables["businesses"]), [dict(
                id=1, name="Pomeroy Pies", owner_id=1, address="300 Main Street", category="retail", employees=3,
                gross_receipts_cents=0, opened_on=date(2020, 5, 1))])
            connection.execute(insert(tables.tables["licenses"]), [dict(
                id=1, number="BL-Q00460", business_id=1, license_type="general_business", status="active",
                fee_cents=15000, fee_paid_cents=0, issued_on=date(2026, 1, 1), expires_on=date(2026, 12, 31),
                version=1)])
        upgrade(engine)
        with make_sessionmaker(engine)() as session:
            for typed in ("pomeroy", "omero", "Mill Street", "555-0142", "winnie@example.org", "460"):
                assert "000460-08" in numbers_found(session, typed), typed
            assert [f.business.name for f in finder.find(session, "pies").found] == ["Pomeroy Pies"]
    finally:
        engine.dispose()
        drop()


def test_any_text_at_all_gives_results_or_none(db):
    from hypothesis import HealthCheck, given, settings, strategies as st
    account_at(db, "Maria O'Brien-Nuñez", "8 Gull Street", phone="530-555-0142", email="maria.ob@example.com")

    @settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
    @given(st.text(max_size=120) | st.text(alphabet='"*:^()-+%_\\\'NEARO 0123456789', max_size=40))
    def search(typed: str) -> None:
        assert len(finder.find(db, typed).found) <= finder.PAGE

    search()


def test_a_landlord_or_business_owner_is_found_by_what_they_own(db):
    landlord = create_customer(db, name="Pomeroy Holdings LLC", phone="916-555-3344")
    tenant = create_account(db, customer=create_customer(db, name="Ana Ortiz"),
                            property=create_property(db, owner=landlord, service_address="14 Tern Way"))
    own = account_at(db, "Hal Pomeroy", "2 Tern Way")
    shop = create_business(db, name="Tern Way Books", owner=landlord)
    results = finder.find(db, "pomeroy")
    assert [(f.account.number if f.account else f.business.name, f.matched) for f in results.found] == [
        (own.number, "customer name Hal Pomeroy"),  # the account holder first, then what the owner owns
        (tenant.number, "property owner name Pomeroy Holdings LLC"),
        ("Tern Way Books", "owner name Pomeroy Holdings LLC")]
    assert [f.matched for f in finder.find(db, "916 555 3344").found] == [
        "property owner phone 916-555-3344", "owner phone 916-555-3344"]
