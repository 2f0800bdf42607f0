"""Street words as the Postal Service writes them (engine.addresses): one standard abbreviation per suffix,
directional or word of a street's name, and every form of it."""
from __future__ import annotations

import pytest

from engine import addresses
from engine.addresses import address_key, forms_of, standard_word, words_of


@pytest.mark.parametrize("written, standard", [
    ("Street", "st"), ("ST", "st"), ("Str", "st"), ("Avenue", "ave"), ("Av", "ave"), ("Road", "rd"),
    ("Drive", "dr"), ("Boulevard", "blvd"), ("Lane", "ln"), ("Court", "ct"), ("Place", "pl"), ("Highway", "hwy"),
    ("Parkway", "pkwy"), ("Pky", "pkwy"), ("Circle", "cir"), ("Terrace", "ter"), ("Crossing", "xing"),
    ("North", "n"), ("Southwest", "sw"), ("NE", "ne"), ("Way", "way"), ("Garcia", "garcia"), ("Oak", "oak"),
    ("Saint", "st"), ("First", "1st"), ("second", "2nd"), ("Third", "3rd"), ("Eleventh", "11th"), ("Twelfth", "12th"),
    ("Thirteenth", "13th"), ("Twentieth", "20th"), ("Twenty First", "21st"), ("twenty second", "22nd"),
    ("Forty Third", "43rd"), ("Ninety Ninth", "99th"), ("Hundredth", "100th"), ("North East", "ne"),
    ("south west", "sw")])
def test_the_standard_abbreviation_of_a_street_word(written, standard):
    assert standard_word(written) == standard


def test_the_forms_of_a_word_are_every_way_of_writing_its_standard_abbreviation():
    assert forms_of("STREET") == ("street", "st", "str", "strt")
    assert forms_of("n") == ("n", "north") and forms_of("North") == ("north", "n")
    assert forms_of("Oak") == ("oak",)
    assert set(forms_of("Pkwy")) == {"pkwy", "parkway", "parkwy", "pkway", "pky", "parkways", "pkwys"}


def test_each_form_means_one_standard_abbreviation():
    every = [(standard, forms) for kind in addresses.FORMS for standard, forms in kind.items()]
    assert all(standard_word(form) == standard for standard, forms in every for form in forms)
    assert all(standard in forms for standard, forms in every)  # the abbreviation is a form too
    with pytest.raises(ValueError, match="COURT is on the lines of CT and of CRT"):
        addresses._standards("CT COURT", "CRT COURT")
    with pytest.raises(ValueError, match="ST is ST as a street word and SAINT in a street's name"):
        addresses._agreeing(addresses._standards("ST STREET"), addresses._standards("SAINT ST"))


def test_st_is_street_or_saint_but_saint_is_never_street():
    """"St" is STREET among the suffixes and SAINT in a street's name: typed, it may be either; "Saint" is only
    Saint and "Street" only Street. Ste is Suite in Publication 28 (Appendix C2), not Saint."""
    assert forms_of("St") == ("st", "street", "str", "strt", "saint")
    assert forms_of("Saint") == ("saint", "st")
    assert "saint" not in forms_of("Street") and "ste" not in forms_of("Saint")
    assert address_key("123 Saint Paul St") == address_key("123 St. Paul Street") == "123 st paul st"
    assert address_key("9 Main St") == address_key("9 Main Street") == "9 main st"


def test_ste_is_sainte_but_sainte_is_never_saint_or_suite():
    """"Ste" is SAINTE in a street's name, as "St" is SAINT; it is also SUITE (Publication 28, Appendix C2), which
    the tables do not hold, so a typed "Ste" is still looked for as written."""
    assert forms_of("Ste") == ("ste", "sainte") and forms_of("SAINTE") == ("sainte", "ste")
    assert "saint" not in forms_of("Sainte") and "sainte" not in forms_of("Saint") and "ste" not in forms_of("St")
    assert address_key("12 Ste Marie Rd") == address_key("12 Sainte Marie Road") == "12 ste marie rd"
    assert address_key("12 Saint Marie Rd") != address_key("12 Sainte Marie Rd")
    assert address_key("100 Main St Ste 200") == address_key("100 Main Street Ste. 200") == "100 main st ste 200"


def test_numbered_streets_are_one_street_in_figures_or_in_words():
    assert forms_of("1st") == ("1st", "first") and forms_of("First") == ("first", "1st")
    assert forms_of("21st") == ("21st", "twenty first")
    assert [forms_of(n) for n in ("2nd", "3rd", "4th", "11th", "12th", "13th", "22nd", "40th")] == [
        ("2nd", "second"), ("3rd", "third"), ("4th", "fourth"), ("11th", "eleventh"), ("12th", "twelfth"),
        ("13th", "thirteenth"), ("22nd", "twenty second"), ("40th", "fortieth")]
    assert address_key("100 Twenty-First Street") == address_key("100 21st St") == "100 21st st"
    assert address_key("8 Twentieth Ave") == address_key("8 20th Avenue") == "8 20th ave"
    assert address_key("1 One Hundredth St") == address_key("1 100th St") == address_key("1 Hundredth St")
    assert len(addresses._ordinals().splitlines()) == addresses.LAST_NUMBERED == 999


@pytest.mark.parametrize("figures, words", [
    ("101st", "One Hundred First"), ("102nd", "one hundred second"), ("103rd", "One Hundred Third"),
    ("111th", "One Hundred Eleventh"), ("112th", "One Hundred Twelfth"), ("113th", "One Hundred Thirteenth"),
    ("120th", "One Hundred Twentieth"), ("121st", "One Hundred Twenty-First"), ("199th", "One Hundred Ninety-Ninth"),
    ("200th", "Two Hundredth"), ("201st", "Two-Hundred-First"), ("212th", "Two Hundred Twelfth"),
    ("342nd", "Three Hundred Forty Second"), ("500th", "Five Hundredth"), ("999th", "Nine Hundred Ninety-Ninth")])
def test_numbered_streets_past_the_hundredth_are_one_street_in_figures_or_in_words(figures, words):
    assert address_key(f"5 {figures} St") == address_key(f"5 {words} Street") == f"5 {figures.lower()} st"
    assert standard_word(words.replace("-", " ")) == figures.lower()
    assert forms_of(figures)[:2] == (figures.lower(), " ".join(words.lower().replace("-", " ").split()))


@pytest.mark.parametrize("figures, words", [
    ("101st", "One Hundred and First"), ("121st", "One Hundred and Twenty-First"),
    ("999th", "nine hundred and ninety ninth")])
def test_a_numbered_street_said_with_and_is_the_same_street(figures, words):
    assert address_key(f"5 {figures} St") == address_key(f"5 {words} Street") == f"5 {figures.lower()} st"
    assert " ".join(words.lower().replace("-", " ").split()) in forms_of(figures)
    assert words_of(f"5 {words} St")[1] == " ".join(words.lower().replace("-", " ").split())
    assert address_key("5 One Hundred and Fifty Oaks Rd") == "5 one hundred and fifty oaks rd"  # not a street number


def test_the_longest_run_of_words_that_is_one_form_is_read_as_one():
    assert words_of("410 One Hundred Twenty-First St") == ["410", "one hundred twenty first", "st"]
    assert words_of("Twenty-First St") == ["twenty first", "st"]
    assert words_of("One Hundred Oaks Dr") == ["one", "hundred", "oaks", "dr"]  # not a numbered street
    assert words_of("Hundred First") == ["hundred", "first"]  # "One Hundred First" only
    assert address_key("7 One Hundred St") == "7 one hundred st"
    assert address_key("1000th St") == "1000th st"  # past 999th: as written


def test_the_ordinals_in_words_are_made_by_one_rule():
    assert [addresses._ordinal_words(n) for n in (1, 12, 20, 21, 99, 100, 101, 110, 119, 120, 999)] == [
        "FIRST", "TWELFTH", "TWENTIETH", "TWENTY-FIRST", "NINETY-NINTH", "ONE-HUNDREDTH", "ONE-HUNDRED-FIRST",
        "ONE-HUNDRED-TENTH", "ONE-HUNDRED-NINETEENTH", "ONE-HUNDRED-TWENTIETH", "NINE-HUNDRED-NINETY-NINTH"]
    assert [addresses._ordinal_ending(n) for n in (101, 111, 112, 113, 122, 203, 211)] == [
        "ST", "TH", "TH", "TH", "ND", "RD", "TH"]


def test_two_words_that_are_one_directional_are_read_as_one():
    for written in ("North East Oak St", "North-East Oak St", "Northeast Oak St", "NE Oak St", "N.E. Oak St"):
        assert address_key(written) == "ne oak st", written
    assert {address_key(f"{d} Elm Rd") for d in ("South East", "south-east", "SE", "Southeast")} == {"se elm rd"}
    assert {address_key(f"{d} Elm Rd") for d in ("North West", "North-West", "NW", "Northwest")} == {"nw elm rd"}
    assert {address_key(f"{d} Elm Rd") for d in ("South West", "South-West", "SW", "Southwest")} == {"sw elm rd"}
    assert words_of("410 North-East Twenty-First St.") == ["410", "north east", "twenty first", "st"]
    assert words_of("East North Oak") == ["east", "north", "oak"]  # side by side and in this order only


def test_two_words_read_as_one_are_also_the_two_words_each_in_any_form():
    """"North East Street" may be the street East Street, north: "N East St" is one of its forms too."""
    assert forms_of("NE") == ("ne", "northeast", "north east", "n e")
    assert set(forms_of("north east")) == {"north east", "ne", "northeast", "n e", "n east", "north e"}


def test_an_address_in_standard_words_is_the_same_however_it_was_written():
    assert address_key("410 North Oak Avenue") == address_key("410 N. Oak Ave") == "410 n oak ave"
    assert address_key("1500 Grass Valley Highway NE") == address_key("1500 grass valley hwy northeast")
    assert address_key("12 Oak Street") != address_key("12 Oak Court")
    assert address_key("") == ""
