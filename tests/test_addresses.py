"""Street words as the Postal Service writes them (engine.addresses): one standard abbreviation per suffix or
directional, and every form of it."""
from __future__ import annotations

import pytest

from engine import addresses
from engine.addresses import address_key, forms_of, standard_word


@pytest.mark.parametrize("written, standard", [
    ("Street", "st"), ("ST", "st"), ("Str", "st"), ("Avenue", "ave"), ("Av", "ave"), ("Road", "rd"),
    ("Drive", "dr"), ("Boulevard", "blvd"), ("Lane", "ln"), ("Court", "ct"), ("Place", "pl"), ("Highway", "hwy"),
    ("Parkway", "pkwy"), ("Pky", "pkwy"), ("Circle", "cir"), ("Terrace", "ter"), ("Crossing", "xing"),
    ("North", "n"), ("Southwest", "sw"), ("NE", "ne"), ("Way", "way"), ("Garcia", "garcia"), ("Oak", "oak")])
def test_the_standard_abbreviation_of_a_street_word(written, standard):
    assert standard_word(written) == standard


def test_the_forms_of_a_word_are_every_way_of_writing_its_standard_abbreviation():
    assert forms_of("St") == ("st", "street", "str", "strt")
    assert forms_of("STREET") == ("street", "st", "str", "strt")
    assert forms_of("n") == ("n", "north") and forms_of("North") == ("north", "n")
    assert forms_of("Oak") == ("oak",)
    assert set(forms_of("Pkwy")) == {"pkwy", "parkway", "parkwy", "pkway", "pky", "parkways", "pkwys"}


def test_each_form_means_one_standard_abbreviation():
    assert all(standard_word(form) == standard for standard, forms in addresses.FORMS.items() for form in forms)
    assert all(standard in forms for standard, forms in addresses.FORMS.items())  # the abbreviation is a form too
    with pytest.raises(ValueError, match="COURT is on the lines of CT and of CRT"):
        addresses._standards("CT COURT", "CRT COURT")


def test_an_address_in_standard_words_is_the_same_however_it_was_written():
    assert address_key("410 North Oak Avenue") == address_key("410 N. Oak Ave") == "410 n oak ave"
    assert address_key("1500 Grass Valley Highway NE") == address_key("1500 grass valley hwy northeast")
    assert address_key("12 Oak Street") != address_key("12 Oak Court")
    assert address_key("") == ""
