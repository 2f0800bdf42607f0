"""Street words as the Postal Service writes them: a suffix or a directional has one standard abbreviation.

"123 Main St" and "123 Main Street", "N Oak Ave" and "North Oak Avenue" are one address. USPS Publication 28
(Appendix C1, street suffixes; and the directionals) gives each suffix its standard abbreviation and the other
forms it is commonly written in. The tables below are that list, as data: on each line the standard
abbreviation, then every other form that means it. The list is national, the same in every city, so it is
kept here rather than as a city setting.

A word's forms are every way of writing it that has the same standard abbreviation ("st" -> st, str, street,
strt); a word the lists do not hold has one form, itself. The search asks for any form of each typed word, so
either way of writing an address finds the other (webapp.search); `address_key` writes a whole address in its
standard words, to tell whether two ways of writing it are one address.
"""
from __future__ import annotations

import re

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

# The directionals: the standard abbreviation, then the word.
DIRECTIONALS = """
N NORTH
E EAST
S SOUTH
W WEST
NE NORTHEAST
SE SOUTHEAST
NW NORTHWEST
SW SOUTHWEST
"""


def _standards(*tables: str) -> dict[str, str]:
    """Each form of each table's lines, case-folded, mapped to the line's standard abbreviation (its first word).

    A form on two lines would mean two things: refused when the module is read, not decided by the last line.
    """
    standard: dict[str, str] = {}
    for line in "\n".join(tables).splitlines():
        words = line.casefold().split()
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


STANDARD = _standards(SUFFIXES, DIRECTIONALS)
FORMS = _forms(STANDARD)


def standard_word(word: str) -> str:
    """The standard abbreviation of a street suffix or directional ("Street" -> "st"), else the word case-folded."""
    folded = word.casefold()
    return STANDARD.get(folded, folded)


def forms_of(word: str) -> tuple[str, ...]:
    """Every way of writing the word that has its standard abbreviation, the word (case-folded) first:
    "ave" -> ("ave", "avenue", "av", ...); a word the lists do not hold -> (the word,)."""
    folded = word.casefold()
    return (folded, *(form for form in FORMS.get(standard_word(folded), ()) if form != folded))


def address_key(address: str) -> str:
    """The address in standard words, to compare two ways of writing it: its words case-folded, each street suffix
    and directional as its standard abbreviation ("410 North Oak Avenue" and "410 N. Oak Ave" -> "410 n oak ave")."""
    return " ".join(standard_word(word) for word in WORD.findall(address))
