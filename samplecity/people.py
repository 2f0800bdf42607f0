"""The people of Alder Creek: names, languages, phones and e-mail addresses.

About two households in five carry Hispanic names and half of those prefer letters in
Spanish (about a fifth of all customers). Phone numbers use the fictional 555 exchange
and e-mail addresses the reserved example domains, so no real person is ever written to.
"""
from __future__ import annotations

import random
from dataclasses import dataclass

HISPANIC_FIRST = (
    "Maria", "Jose", "Juan", "Guadalupe", "Luis", "Carmen", "Ana", "Miguel", "Rosa", "Jesus",
    "Francisco", "Elena", "Antonio", "Veronica", "Alejandro", "Sofia", "Carlos", "Isabel",
    "Ricardo", "Lucia", "Fernando", "Teresa", "Javier", "Adriana", "Manuel", "Patricia",
    "Ramon", "Graciela", "Hector", "Yolanda", "Raul", "Leticia", "Arturo", "Marisol",
    "Eduardo", "Alma", "Sergio", "Beatriz", "Roberto", "Esperanza", "Daniel", "Gabriela",
    "Armando", "Silvia", "Enrique", "Norma", "Oscar", "Claudia", "Ruben", "Irma",
)
HISPANIC_LAST = (
    "Garcia", "Hernandez", "Martinez", "Lopez", "Gonzalez", "Rodriguez", "Perez", "Sanchez",
    "Ramirez", "Torres", "Flores", "Rivera", "Gomez", "Diaz", "Reyes", "Morales", "Cruz",
    "Ortiz", "Gutierrez", "Chavez", "Ramos", "Ruiz", "Alvarez", "Mendoza", "Castillo",
    "Jimenez", "Vasquez", "Moreno", "Romero", "Herrera", "Medina", "Aguilar", "Vargas",
    "Castro", "Guzman", "Fernandez", "Juarez", "Salazar", "Delgado", "Contreras", "Soto",
    "Estrada", "Ochoa", "Cervantes", "Navarro", "Rosales", "Villanueva", "Zamora", "Ibarra",
    "Maldonado",
)
OTHER_FIRST = (
    "James", "Mary", "Robert", "Linda", "Michael", "Barbara", "William", "Susan", "David",
    "Jessica", "Richard", "Karen", "Thomas", "Nancy", "Christopher", "Lisa", "Mark", "Sandra",
    "Steven", "Ashley", "Paul", "Emily", "Andrew", "Michelle", "Joshua", "Amanda", "Kevin",
    "Melissa", "Brian", "Deborah", "George", "Stephanie", "Timothy", "Rebecca", "Ronald",
    "Laura", "Jason", "Sharon", "Ryan", "Cynthia", "Gary", "Kathleen", "Eric", "Amy",
    "Wei", "Mei", "Hiroshi", "Yuki", "Thanh", "Linh", "Priya", "Arjun", "Harpreet", "Jasmine",
    "Tyrone", "Keisha", "Dmitri", "Olga", "Samuel", "Grace", "Noah", "Hannah", "Ethan", "Olivia",
)
OTHER_LAST = (
    "Smith", "Johnson", "Williams", "Brown", "Jones", "Miller", "Davis", "Wilson", "Anderson",
    "Taylor", "Thomas", "Moore", "Jackson", "Martin", "Lee", "Thompson", "White", "Harris",
    "Clark", "Lewis", "Robinson", "Walker", "Young", "Allen", "King", "Wright", "Scott",
    "Hill", "Green", "Adams", "Baker", "Nelson", "Carter", "Mitchell", "Roberts", "Campbell",
    "Parker", "Evans", "Edwards", "Collins", "Stewart", "Morris", "Murphy", "Cook", "Rogers",
    "Nguyen", "Tran", "Pham", "Chen", "Wong", "Lin", "Kim", "Park", "Nakamura", "Tanaka",
    "Singh", "Patel", "Sharma", "Kaur", "Washington", "Okafor", "Petrov", "Olsen", "Larsen",
    "Sullivan", "O'Brien", "McCarthy", "Schmidt", "Becker", "Rossi",
)
EMAIL_DOMAINS = ("example.com", "example.net", "example.org")
LANDLORD_FIRMS = (
    "Sierra Vista Property Management LLC", "Foothill Rentals Inc", "Alder Creek Homes LP",
    "Golden State Residential LLC", "Oak Valley Investments LLC", "Pioneer Property Group",
    "Cascade Realty Partners LLC", "Valley Oak Apartments LP", "Manzanita Holdings LLC",
    "Redbud Rental Properties",
)
HISPANIC_SHARE = 40  # percent of people with Hispanic names
SPANISH_SHARE = 50  # percent of those who prefer letters in Spanish
EMAIL_SHARE = 62
LOW_INCOME_SHARE = 10


@dataclass(frozen=True)
class Person:
    """A person's name and how to reach them."""

    first: str
    last: str
    language: str
    phone: str
    email: str

    @property
    def name(self) -> str:
        """The name as the city writes it on a bill."""
        return f"{self.first} {self.last}"


def phone_number(rng: random.Random) -> str:
    """A phone number on the fictional 555 exchange of a Sacramento-valley area code."""
    return f"{rng.choice(('530', '530', '916'))}-555-{rng.randint(0, 9999):04d}"


def email_for(rng: random.Random, first: str, last: str, serial: int) -> str:
    """An e-mail address at a reserved example domain, or "" for someone who gave none."""
    if rng.randint(1, 100) > EMAIL_SHARE:
        return ""
    handle = f"{first}.{last}".lower().replace("'", "").replace(" ", "")
    return f"{handle}{serial % 1000}@{rng.choice(EMAIL_DOMAINS)}"


def person(rng: random.Random, serial: int) -> Person:
    """A resident of Alder Creek: a name, a preferred language, a phone and maybe an e-mail."""
    hispanic = rng.randint(1, 100) <= HISPANIC_SHARE
    if hispanic:
        first, last = rng.choice(HISPANIC_FIRST), rng.choice(HISPANIC_LAST)
        if rng.randint(1, 4) == 1:  # a second surname, as many families write it
            last = f"{last} {rng.choice(HISPANIC_LAST)}"
    else:
        first, last = rng.choice(OTHER_FIRST), rng.choice(OTHER_LAST)
    language = "es" if hispanic and rng.randint(1, 100) <= SPANISH_SHARE else "en"
    return Person(first, last, language, phone_number(rng), email_for(rng, first, last, serial))


def landlord_name(rng: random.Random) -> str:
    """The owner of rented homes: a management firm, a family trust or a person."""
    roll = rng.randint(1, 10)
    if roll <= 4:
        return rng.choice(LANDLORD_FIRMS)
    if roll <= 6:
        return f"{rng.choice(OTHER_LAST + HISPANIC_LAST)} Family Trust"
    return f"{rng.choice(OTHER_FIRST + HISPANIC_FIRST)} {rng.choice(OTHER_LAST + HISPANIC_LAST)}"


def is_low_income(rng: random.Random) -> bool:
    """Whether a household is enrolled in the low-income programme (about one in ten)."""
    return rng.randint(1, 100) <= LOW_INCOME_SHARE
