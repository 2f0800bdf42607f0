"""Street words as the Postal Service writes them: a suffix, a directional or a word of a street's name has one
standard abbreviation.

"123 Main St" and "123 Main Street", "N Oak Ave" and "North Oak Avenue", "1st Ave" and "First Avenue", "St Paul Ave"
and "Saint Paul Avenue" are one address. USPS Publication 28 (Appendix C1, street suffixes; section 233, the
directionals) gives each suffix and directional its standard abbreviation and the other forms it is commonly
written in. The tables below are that list, as data: on each line the standard abbreviation, then every other form
that means it. A form of several words is written with hyphens ("NORTH-EAST"): it stands for the words however
they are separated ("North East", "North-East"). The lists are national, the same in every city, so they are kept
here rather than as a city setting.

Two kinds of words: the street words (suffixes and directionals), and the words of a street's own name that are
written two ways: a numbered street (Publication 28 section 235 keeps it as the ZIP+4 file has it, "7TH ST" or
"SEVENTH ST"), 1st to 999th, made by a rule rather than listed ("101ST ONE-HUNDRED-FIRST ONE-HUNDRED-AND-FIRST"),
and "Saint" and "Sainte", as often written "St" and "Ste". Each kind is one table, and a word may be on a line of
each: "St" is STREET among the suffixes and SAINT among the names. A word's forms are every way of writing it that
has the same standard abbreviation on each line it is on: "st" -> st, street, str, strt and saint; "saint" -> saint,
st (not street: "Saint Paul" must not find "Paul Street"); "street" -> street, st, str, strt (not saint). So "123
Saint Paul St" finds "123 St Paul Street" and the other way round, and "Main St" still finds "Main Street"; "St
Paul" may also find "Paul St", as nothing tells which "St" is which: the kind is not decided by the word's place in
the address. "Ste" is the same: SAINTE among the names, and in Publication 28 (Appendix C2, secondary unit
designators) SUITE, which these tables do not hold. So "Ste" -> ste, sainte; "sainte" -> sainte, ste (never suite);
"Ste 200" still finds "Ste 200" as written, and may also find "200 Sainte Marie Rd". A word the tables do not hold
has one form, itself.

Words that together are one form ("North East", "Twenty-First", "One Hundred Twenty-First") are read as that one
word, the longest run first (`words_of`), and its forms then include the words each in any of their forms, side by
side ("N East": "North East Street" may be East Street North). The search asks for any form of each word, a form of
several words as those words side by side, so either way of writing an address finds the other (webapp.search); the
search indexes hold the addresses as written, so nothing stored is rewritten. `address_key` writes a whole address
in its standard words, to tell whether two ways of writing it are one address; no key is stored.
"""
from __future__ import annotations

import re
from itertools import product

WORD = re.compile(r"[^\W_]+")  # a run of letters and digits: "St." is the word "St"

# Publication 28, Appendix C1: the standard suffix abbreviation, then the suffix and its common forms.
SUFFIXES = """
ALY ALLEY ALLEE ALLY
ANX ANNEX ANEX ANNX
ARC ARCADE
AVE AVENUE AV AVEN AVENU AVN AVNUE
BYU BAYOU BAYOO
BCH BEACH
BND BEND
BLF BLUFF BLUF
BLFS BLUFFS
BTM BOTTOM BOT BOTTM
BLVD BOULEVARD BOUL BOULV
BR BRANCH BRNCH
BRG BRIDGE BRDGE
BRK BROOK
BRKS BROOKS
BG BURG
BGS BURGS
BYP BYPASS BYPA BYPAS BYPS
CP CAMP CMP
CYN CANYON CANYN CNYN
CPE CAPE
CSWY CAUSEWAY CAUSWA
CTR CENTER CEN CENT CENTR CENTRE CNTER CNTR
CTRS CENTERS
CIR CIRCLE CIRC CIRCL CRCL CRCLE
CIRS CIRCLES
CLF CLIFF
CLFS CLIFFS
CLB CLUB
CMN COMMON
CMNS COMMONS
COR CORNER
CORS CORNERS
CRSE COURSE
CT COURT
CTS COURTS
CV COVE
CVS COVES
CRK CREEK
CRES CRESCENT CRSENT CRSNT
CRST CREST
XING CROSSING CRSSNG
XRD CROSSROAD
XRDS CROSSROADS
CURV CURVE
DL DALE
DM DAM
DV DIVIDE DIV DVD
DR DRIVE DRIV DRV
DRS DRIVES
EST ESTATE
ESTS ESTATES
EXPY EXPRESSWAY EXP EXPR EXPRESS EXPW
EXT EXTENSION EXTN EXTNSN
EXTS EXTENSIONS
FALL
FLS FALLS
FRY FERRY FRRY
FLD FIELD
FLDS FIELDS
FLT FLAT
FLTS FLATS
FRD FORD
FRDS FORDS
FRST FOREST FORESTS
FRG FORGE FORG
FRGS FORGES
FRK FORK
FRKS FORKS
FT FORT FRT
FWY FREEWAY FREEWY FRWAY FRWY
GDN GARDEN GARDN GRDEN GRDN
GDNS GARDENS GRDNS
GTWY GATEWAY GATEWY GATWAY GTWAY
GLN GLEN
GLNS GLENS
GRN GREEN
GRNS GREENS
GRV GROVE GROV
GRVS GROVES
HBR HARBOR HARB HARBR HRBOR
HBRS HARBORS
HVN HAVEN
HTS HEIGHTS HT
HWY HIGHWAY HIGHWY HIWAY HIWY HWAY
HL HILL
HLS HILLS
HOLW HOLLOW HLLW HOLLOWS HOLWS
INLT INLET
IS ISLAND ISLND
ISS ISLANDS ISLNDS
ISLE ISLES
JCT JUNCTION JCTION JCTN JUNCTN JUNCTON
JCTS JUNCTIONS JCTNS
KY KEY
KYS KEYS
KNL KNOLL KNOL
KNLS KNOLLS
LK LAKE
LKS LAKES
LAND
LNDG LANDING LNDNG
LN LANE
LGT LIGHT
LGTS LIGHTS
LF LOAF
LCK LOCK
LCKS LOCKS
LDG LODGE LDGE LODG
LOOP LOOPS
MALL
MNR MANOR
MNRS MANORS
MDW MEADOW
MDWS MEADOWS MEDOWS
MEWS
ML MILL
MLS MILLS
MSN MISSION MISSN MSSN
MTWY MOTORWAY
MT MOUNT MNT
MTN MOUNTAIN MNTAIN MNTN MOUNTIN MTIN
MTNS MOUNTAINS MNTNS
NCK NECK
ORCH ORCHARD ORCHRD
OVAL OVL
OPAS OVERPASS
PARK PRK PARKS
PKWY PARKWAY PARKWY PKWAY PKY PARKWAYS PKWYS
PASS
PSGE PASSAGE
PATH PATHS
PIKE PIKES
PNE PINE
PNES PINES
PL PLACE
PLN PLAIN
PLNS PLAINS
PLZ PLAZA PLZA
PT POINT
PTS POINTS
PRT PORT
PRTS PORTS
PR PRAIRIE PRR
RADL RADIAL RAD RADIEL
RAMP
RNCH RANCH RANCHES RNCHS
RPD RAPID
RPDS RAPIDS
RST REST
RDG RIDGE RDGE
RDGS RIDGES
RIV RIVER RIVR RVR
RD ROAD
RDS ROADS
RTE ROUTE
ROW
RUE
RUN
SHL SHOAL
SHLS SHOALS
SHR SHORE SHOAR
SHRS SHORES SHOARS
SKWY SKYWAY
SPG SPRING SPNG SPRNG
SPGS SPRINGS SPNGS SPRNGS
SPUR SPURS
SQ SQUARE SQR SQRE SQU
SQS SQUARES SQRS
STA STATION STATN STN
STRA STRAVENUE STRAV STRAVEN STRAVN STRVN STRVNUE
STRM STREAM STREME
ST STREET STR STRT
STS STREETS
SMT SUMMIT SUMIT SUMITT
TER TERRACE TERR
TRWY THROUGHWAY
TRCE TRACE TRACES
TRAK TRACK TRACKS TRK TRKS
TRFY TRAFFICWAY
TRL TRAIL TRAILS TRLS
TRLR TRAILER TRLRS
TUNL TUNNEL TUNEL TUNLS TUNNELS TUNNL
TPKE TURNPIKE TRNPK TURNPK
UPAS UNDERPASS
UN UNION
UNS UNIONS
VLY VALLEY VALLY VLLY
VLYS VALLEYS
VIA VIADUCT VDCT VIADCT
VW VIEW
VWS VIEWS
VLG VILLAGE VILL VILLAG VILLG VILLIAGE
VLGS VILLAGES
VL VILLE
VIS VISTA VIST VST VSTA
WALK WALKS
WALL
WAY WY
WAYS
WL WELL
WLS WELLS
"""

# Publication 28 section 233, the directionals: the standard abbreviation, then the word, as one word or as two.
# N-E (for "N.E." and "N E") is not in Publication 28: it is how such addresses are often written by hand.
DIRECTIONALS = """
N NORTH
E EAST
S SOUTH
W WEST
NE NORTHEAST NORTH-EAST N-E
SE SOUTHEAST SOUTH-EAST S-E
NW NORTHWEST NORTH-WEST N-W
SW SOUTHWEST SOUTH-WEST S-W
"""

# Words of a street's own name written two ways: the standard abbreviation, then the word. STE is also SUITE, a
# secondary unit designator (Publication 28, Appendix C2), as ST is also STREET; units are not in these tables.
NAMES = """
ST SAINT
STE SAINTE
"""

# The numbered streets, "1ST FIRST" to "999TH NINE-HUNDRED-NINETY-NINTH", are made by a rule from these words
# (`_ordinal_words`), not listed.
LAST_NUMBERED = 999
ORDINAL_WORDS = """
FIRST SECOND THIRD FOURTH FIFTH SIXTH SEVENTH EIGHTH NINTH TENTH
ELEVENTH TWELFTH THIRTEENTH FOURTEENTH FIFTEENTH SIXTEENTH SEVENTEENTH EIGHTEENTH NINETEENTH
""".split()
TENS = "TWENTY THIRTY FORTY FIFTY SIXTY SEVENTY EIGHTY NINETY".split()  # TWENTY-FIRST, ...; TWENTIETH, ...
HUNDREDS = "ONE TWO THREE FOUR FIVE SIX SEVEN EIGHT NINE".split()  # ONE-HUNDRED-FIRST, ...; ONE-HUNDREDTH, ...


def _ordinal_ending(number: int) -> str:
    """The letters after a number written as an ordinal: 1ST, 2ND, 3RD, 4TH; 11TH, 12TH, 13TH; 21ST, 22ND."""
    return "TH" if number % 100 in (11, 12, 13) else {1: "ST", 2: "ND", 3: "RD"}.get(number % 10, "TH")


def _ordinal_words(number: int) -> str:
    """A number from 1 to 999 as an ordinal in words, one hyphen between words: 1 -> FIRST, 20 -> TWENTIETH,
    21 -> TWENTY-FIRST, 100 -> ONE-HUNDREDTH, 101 -> ONE-HUNDRED-FIRST, 999 -> NINE-HUNDRED-NINETY-NINTH."""
    hundreds, rest = divmod(number, 100)
    if hundreds:
        return f"{HUNDREDS[hundreds - 1]}-HUNDRED" + (f"-{_ordinal_words(rest)}" if rest else "TH")
    tens, unit = divmod(rest, 10)
    if rest < 20:
        return ORDINAL_WORDS[rest - 1]
    return f"{TENS[tens - 2]}-{ORDINAL_WORDS[unit - 1]}" if unit else TENS[tens - 2][:-1] + "IETH"  # TWENTIETH


def _ordinals() -> str:
    """The lines of the numbered streets from 1ST to 999TH: "1ST FIRST", "21ST TWENTY-FIRST", "100TH ONE-HUNDREDTH
    HUNDREDTH", "101ST ONE-HUNDRED-FIRST ONE-HUNDRED-AND-FIRST"."""
    lines = [f"{number}{_ordinal_ending(number)} {_ordinal_words(number)}" for number in range(1, LAST_NUMBERED + 1)]
    lines[99] += " HUNDREDTH"  # 100TH, written without its ONE too
    for number in range(101, LAST_NUMBERED + 1):  # 101ST, also as often said: ONE-HUNDRED-AND-FIRST
        if number % 100:
            lines[number - 1] += " " + _ordinal_words(number).replace("-HUNDRED-", "-HUNDRED-AND-", 1)
    return "\n".join(lines)


def _standards(*tables: str) -> dict[str, str]:
    """Each form of each table's lines, case-folded (a hyphen as a space: several words), mapped to the line's standard
    abbreviation (its first word).

    A form on two lines would mean two things: refused when the module is read, not decided by the last line.
    """
    standard: dict[str, str] = {}
    for line in "\n".join(tables).splitlines():
        words = [form.replace("-", " ") for form in line.casefold().split()]
        for form in words:
            if standard.setdefault(form, words[0]) != words[0]:
                raise ValueError(f"engine.addresses: {form.upper()} is on the lines of {standard[form].upper()} "
                                 f"and of {words[0].upper()}")
    return standard


def _forms(standard: dict[str, str]) -> dict[str, tuple[str, ...]]:
    """Each standard abbreviation's forms, itself first, in the tables' order."""
    forms: dict[str, tuple[str, ...]] = {}
    for form, abbreviation in standard.items():
        forms[abbreviation] = forms.get(abbreviation, ()) + (form,)
    return forms


def _agreeing(*kinds: dict[str, str]) -> tuple[dict[str, str], ...]:
    """The kinds of words, each a table's standards; a word in two kinds has the same standard abbreviation in both
    ("st": ST and ST), else `address_key` could not tell which to write: refused when the module is read."""
    for n, kind in enumerate(kinds):
        for other in kinds[n + 1:]:
            for word in kind.keys() & other.keys():
                if kind[word] != other[word]:
                    raise ValueError(f"engine.addresses: {word.upper()} is {kind[word].upper()} as a street word "
                                     f"and {other[word].upper()} in a street's name")
    return kinds


STREET_WORDS = _standards(SUFFIXES, DIRECTIONALS)  # the suffixes and directionals
NAME_WORDS = _standards(NAMES, _ordinals())  # words of a street's own name
KINDS = _agreeing(STREET_WORDS, NAME_WORDS)
FORMS = tuple(_forms(kind) for kind in KINDS)  # each kind's standard abbreviations and their forms
JOINED = frozenset(form for kind in KINDS for form in kind if " " in form)  # the forms of several words
LONGEST = max(form.count(" ") + 1 for form in JOINED)  # words in the longest: "nine hundred ninety ninth"


def words_of(text: str) -> list[str]:
    """The words of a text, case-folded, words side by side that are one form as one word, the longest such run
    first: "North-East Oak St." -> ["north east", "oak", "st"], "One Hundred Twenty-First" -> ["one hundred twenty
    first"] (not "one", "hundred", "twenty first"); "One Hundred Oaks" -> ["one", "hundred", "oaks"]."""
    plain, words = WORD.findall(text.casefold()), []
    while plain:
        length = next((n for n in range(min(LONGEST, len(plain)), 1, -1) if " ".join(plain[:n]) in JOINED), 1)
        words.append(" ".join(plain[:length]))
        del plain[:length]
    return words


def standard_word(word: str) -> str:
    """The standard abbreviation of a street suffix, directional or word of a street's name ("Street" -> "st",
    "Saint" -> "st", "First" -> "1st", "north east" -> "ne"), else the word case-folded."""
    folded = " ".join(word.casefold().split())
    return next((kind[folded] for kind in KINDS if folded in kind), folded)


def _lines_forms(folded: str) -> list[str]:
    """The forms of every line the word is on, one line of each kind at most: "st" -> street's and saint's."""
    return [form for kind, forms in zip(KINDS, FORMS) if folded in kind for form in forms[kind[folded]]]


def forms_of(word: str) -> tuple[str, ...]:
    """Every way of writing the word that has its standard abbreviation on a line it is on, the word (case-folded)
    first: "ave" -> ("ave", "avenue", "av", ...), "saint" -> ("saint", "st"); a word the lists do not hold ->
    (the word,). Words read as one ("north east") also as those words each in any of their forms, side by
    side ("n east", "north e"), for the street that is East Street North."""
    folded = " ".join(word.casefold().split())
    side_by_side = (" ".join(words) for words in product(*([part, *_lines_forms(part)] for part in folded.split())))
    return tuple(dict.fromkeys([folded, *_lines_forms(folded), *side_by_side]))


def address_key(address: str) -> str:
    """The address in standard words, to compare two ways of writing it: its words case-folded, each street suffix,
    directional and word of a street's name as its standard abbreviation ("410 North Oak Avenue" and "410 N. Oak Ave"
    -> "410 n oak ave"; "12 Saint Paul St" and "12 St. Paul Street" -> "12 st paul st")."""
    return " ".join(standard_word(word) for word in words_of(address))
