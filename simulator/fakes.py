"""Seeded fake values: order ids, names, e-mails, addresses, dates, products, sentences.

Scenario slots (`fake: email`), the customer-support state seeder and the generic schema sim all
draw from here, so a value looks the same wherever it appears. No faker dependency: small
built-in word lists are enough for realistic data, keep generation fast (the offline benchmark
runs thousands of episodes a second) and make every value a pure function of the rng state.
"""

from __future__ import annotations

import random
import re
import uuid
from collections.abc import Callable, Sequence
from datetime import date, datetime, time, timedelta
from typing import Any, TypeVar

FIRST_NAMES = (
    "Emma", "Liam", "Olivia", "Noah", "Ava", "Ethan", "Sophia", "Mason", "Isabella", "Lucas",
    "Mia", "Oliver", "Amelia", "James", "Harper", "Benjamin", "Evelyn", "Elijah", "Abigail",
    "Daniel", "Priya", "Arjun", "Mei", "Wei", "Sofia", "Mateo", "Fatima", "Omar", "Hannah", "Leo",
    "Chloe", "Samuel", "Grace", "David", "Zoe", "Aaron", "Nora", "Gabriel", "Lily", "Julian",
)
LAST_NAMES = (
    "Smith", "Johnson", "Williams", "Brown", "Jones", "Garcia", "Miller", "Davis", "Rodriguez",
    "Martinez", "Hernandez", "Lopez", "Wilson", "Anderson", "Thomas", "Taylor", "Moore", "Jackson",
    "Martin", "Lee", "Thompson", "White", "Harris", "Clark", "Lewis", "Walker", "Young", "Allen",
    "Nguyen", "Patel", "Chen", "Kim", "Singh", "Müller", "Rossi", "Novak", "Okafor", "Silva",
)
EMAIL_DOMAINS = ("gmail.com", "outlook.com", "yahoo.com", "icloud.com", "proton.me", "example.com")
STREET_NAMES = (
    "Oak", "Maple", "Pine", "Cedar", "Elm", "Washington", "Lake", "Hill", "Park", "Main",
    "Sunset", "River", "Chestnut", "Willow", "Highland", "Franklin", "Lincoln", "Spring", "Church",
    "Meadow",
)
STREET_SUFFIXES = ("Street", "Avenue", "Road", "Lane", "Drive", "Boulevard", "Court", "Way", "Place")
CITIES = (
    "Springfield", "Portland", "Austin", "Denver", "Seattle", "Boston", "Chicago", "Madison",
    "Raleigh", "Phoenix", "San Diego", "Nashville", "Columbus", "Sacramento", "Pittsburgh",
    "Minneapolis", "Tampa", "Richmond", "Salt Lake City", "Albany",
)
COUNTRIES = ("United States", "Canada", "United Kingdom", "Germany", "France", "Australia", "Japan")
# (product name, typical price) — prices keep order totals plausible.
PRODUCTS: tuple[tuple[str, float], ...] = (
    ("Wireless Earbuds", 79.99), ("Bluetooth Speaker", 49.99), ("USB-C Charging Cable", 12.99),
    ("Mechanical Keyboard", 129.99), ("Ergonomic Mouse", 39.99), ('27" 4K Monitor', 329.00),
    ("Laptop Stand", 34.50), ("Noise-Cancelling Headphones", 249.00), ("Smart Watch", 199.99),
    ("Fitness Tracker", 89.95), ("Espresso Machine", 279.00), ("Ceramic Mug Set", 24.99),
    ("Cast Iron Skillet", 39.95), ("Chef's Knife", 64.00), ("Yoga Mat", 29.99),
    ("Running Shoes", 119.00), ("Rain Jacket", 89.00), ("Cotton T-Shirt", 19.99),
    ("Leather Wallet", 45.00), ("Backpack", 69.99), ("Desk Lamp", 27.49),
    ("Air Purifier", 149.99), ("Electric Toothbrush", 59.99), ("Phone Case", 17.99),
    ("Portable Charger", 35.99), ("Water Bottle", 22.00), ("Board Game", 39.99),
    ("Hardcover Notebook", 14.50), ("Throw Blanket", 44.99), ("Scented Candle", 18.00),
)
WORDS = (
    "account", "package", "delivery", "update", "service", "request", "window", "river", "garden",
    "signal", "market", "travel", "basket", "silver", "harbor", "meadow", "rocket", "summit",
    "canvas", "lantern", "orbit", "pepper", "velvet", "anchor", "bridge", "cobalt", "falcon",
    "glacier", "island", "jasmine", "kettle", "ledger", "marble", "nectar", "pixel", "quartz",
)
SENTENCES = (
    "The package arrived two days later than expected.",
    "Your request has been received and is being processed.",
    "The item matches the description and works as intended.",
    "Customers can track every shipment from the order page.",
    "Our team reviews each case within one business day.",
    "The replacement will ship from the nearest warehouse.",
    "Please keep the original packaging until the return is complete.",
    "The forecast calls for light rain in the afternoon.",
    "This product is available in three colours and two sizes.",
    "The meeting was moved to Thursday at ten in the morning.",
    "Support is available around the clock by chat and e-mail.",
    "The invoice includes taxes and shipping fees.",
)
CARRIERS = ("UPS", "FedEx", "USPS", "DHL")

T = TypeVar("T")

# The reference year: scenario dates and episode "todays" fall in it, so data never looks stale.
BASE_DATE = date(2026, 1, 1)


def pick(rng: random.Random, options: Sequence[T]) -> T:
    """`rng.choice`, about twice as fast: one `random()` instead of a `getrandbits` loop. Its
    bias (about n / 2⁵³) is irrelevant for fake data, and seeding one episode's state makes
    hundreds of these draws."""
    return options[int(rng.random() * len(options))]


def between(rng: random.Random, low: int, high: int) -> int:
    """`rng.randint(low, high)` the fast way (see `pick`)."""
    return low + int(rng.random() * (high - low + 1))


def shuffled(rng: random.Random, items: Sequence[T]) -> list[T]:
    """A shuffled copy (Fisher-Yates with `between`)."""
    out = list(items)
    for i in range(len(out) - 1, 0, -1):
        j = between(rng, 0, i)
        out[i], out[j] = out[j], out[i]
    return out


def digits(rng: random.Random, n: int) -> str:
    """`n` random digits; the first is never 0 so ids look like ids, not padded numbers."""
    return str(rng.randrange(10 ** (n - 1), 10 ** n))


def fake_order_id(rng: random.Random) -> str:
    return f"ORD-{digits(rng, 5)}"


def fake_first_name(rng: random.Random) -> str:
    return pick(rng, FIRST_NAMES)


def fake_name(rng: random.Random) -> str:
    return f"{pick(rng, FIRST_NAMES)} {pick(rng, LAST_NAMES)}"


def email_for(name: str, rng: random.Random) -> str:
    """An address that belongs to `name` (jane.doe@…, jdoe42@…), as real customers' do."""
    parts = [ascii_slug(p) for p in name.split()] or ["user"]
    first, last = parts[0], parts[-1]
    local = pick(rng, (f"{first}.{last}", f"{first[0]}{last}", f"{first}{last[0]}", f"{first}_{last}"))
    if rng.random() < 0.4:
        local += str(between(rng, 1, 99))
    return f"{local}@{pick(rng, EMAIL_DOMAINS)}"


_FOLD = str.maketrans({"ä": "a", "ö": "o", "ü": "u", "ß": "ss", "é": "e", "è": "e", "à": "a", "ç": "c"})


def ascii_slug(text: str) -> str:
    """Lower-case ASCII letters and digits only (Müller → muller): safe for e-mails and ids."""
    if text.isascii() and text.isalnum():  # the common case, kept cheap: seeding calls this a lot
        return text.lower()
    cleaned = "".join(c for c in text.lower().translate(_FOLD) if c.isascii() and c.isalnum())
    return cleaned or "user"


def fake_email(rng: random.Random) -> str:
    return email_for(fake_name(rng), rng)


def fake_phone(rng: random.Random) -> str:
    """North-American format with the 555-01xx block reserved for fiction."""
    return f"+1-{between(rng, 201, 989)}-555-01{between(rng, 0, 99):02d}"


def fake_street(rng: random.Random) -> str:
    return f"{between(rng, 1, 9899)} {pick(rng, STREET_NAMES)} {pick(rng, STREET_SUFFIXES)}"


def fake_city(rng: random.Random) -> str:
    return pick(rng, CITIES)


def fake_postal_code(rng: random.Random) -> str:
    return f"{between(rng, 10000, 99999)}"


def fake_day(rng: random.Random, start: date = BASE_DATE, end: date | None = None) -> date:
    """A day in [start, end]; the default range is the reference year."""
    end = end or start + timedelta(days=364)
    return start + timedelta(days=between(rng, 0, max(0, (end - start).days)))


def fake_date(rng: random.Random) -> str:
    return fake_day(rng).isoformat()


def fake_datetime(rng: random.Random) -> str:
    """An RFC 3339 timestamp in UTC (`2026-03-14T09:26:53Z`)."""
    moment = datetime.combine(fake_day(rng), time(between(rng, 7, 21), between(rng, 0, 59), between(rng, 0, 59)))
    return moment.isoformat() + "Z"


def fake_amount(rng: random.Random, low: float = 5.0, high: float = 500.0) -> float:
    """A price-like amount with two decimals, biased to shop endings (.99, .95, .00) half the time."""
    whole = between(rng, int(low), max(int(low), int(high) - 1))
    cents = pick(rng, (99, 95, 0, 49)) if rng.random() < 0.5 else between(rng, 0, 99)
    value = round(whole + cents / 100, 2)
    return min(max(value, round(low, 2)), round(high, 2))


def fake_integer(rng: random.Random) -> int:
    return between(rng, 1, 100)


def fake_product(rng: random.Random) -> tuple[str, float]:
    """A product name with its usual price (the seeder keeps totals consistent with items)."""
    return pick(rng, PRODUCTS)


def fake_item(rng: random.Random) -> str:
    return fake_product(rng)[0]


def fake_word(rng: random.Random) -> str:
    return pick(rng, WORDS)


def fake_sentence(rng: random.Random) -> str:
    return pick(rng, SENTENCES)


def fake_uuid(rng: random.Random) -> str:
    """A version-4 UUID drawn from `rng` (uuid.uuid4 would use the OS and break determinism)."""
    return str(uuid.UUID(int=rng.getrandbits(128), version=4))


def fake_sku(rng: random.Random) -> str:
    return f"SKU-{digits(rng, 5)}"


def fake_tracking_number(rng: random.Random, carrier: str) -> str:
    """Tracking numbers shaped like each carrier's real ones."""
    if carrier == "UPS":
        return "1Z" + "".join(rng.choices("ABCDEFGHJKLMNPRSTUVWXY0123456789", k=16))
    if carrier == "FedEx":
        return digits(rng, 12)
    if carrier == "USPS":
        return f"9400{rng.randrange(10 ** 18):018d}"
    return digits(rng, 10)


FAKERS: dict[str, Callable[[random.Random], Any]] = {
    "order_id": fake_order_id,
    "email": fake_email,
    "name": fake_name,
    "first_name": fake_first_name,
    "phone": fake_phone,
    "street": fake_street,
    "city": fake_city,
    "postal_code": fake_postal_code,
    "date": fake_date,
    "amount": fake_amount,
    "integer": fake_integer,
    "item": fake_item,
    "word": fake_word,
    "sentence": fake_sentence,
    "uuid": fake_uuid,
}


def fake(kind: str, rng: random.Random) -> Any:
    """A value of one `FakeKind` (see `simulator.config`); the same rng state gives the same value."""
    try:
        maker = FAKERS[kind]
    except KeyError:
        raise ValueError(f"unknown fake kind {kind!r}; known: {', '.join(sorted(FAKERS))}") from None
    return maker(rng)


# ---------------------------------------------------------------- values matching a regex

_DIGITS = "0123456789"
_UPPER = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
_LOWER = "abcdefghijklmnopqrstuvwxyz"
_WORD = _UPPER + _LOWER + _DIGITS + "_"
_PRINTABLE = _WORD + " -.@/:"
_CLASS_ESCAPES = {"d": _DIGITS, "w": _WORD, "s": " ", "D": _LOWER, "W": "-", "S": _LOWER + _DIGITS}
_CHAR_ESCAPES = {"t": "\t", "n": "\n", "r": "\r", "f": "\f", "v": "\v"}


class PatternTooComplex(ValueError):
    """The regex uses features the small generator does not handle (lookarounds, backrefs...)."""


class _PatternParser:
    """Recursive-descent parser for the regex subset tool schemas use in practice: literals,
    escapes (`\\d \\w \\s`), `.`, classes (`[A-Z0-9_-]`, `[^...]`), groups (`(...)`, `(?:...)`),
    alternation and quantifiers (`? * + {n} {n,} {n,m}`). Nodes are tuples:
    ("lit", str) | ("set", chars) | ("seq", [nodes]) | ("alt", [nodes]) | ("rep", node, lo, hi)."""

    def __init__(self, pattern: str, max_repeat: int) -> None:
        self.text = pattern
        self.pos = 0
        self.max_repeat = max_repeat

    def parse(self) -> tuple:
        node = self._alternation()
        if self.pos != len(self.text):
            raise PatternTooComplex(f"unexpected {self.text[self.pos]!r} at {self.pos}")
        return node

    def _peek(self) -> str | None:
        return self.text[self.pos] if self.pos < len(self.text) else None

    def _alternation(self) -> tuple:
        branches = [self._sequence()]
        while self._peek() == "|":
            self.pos += 1
            branches.append(self._sequence())
        return branches[0] if len(branches) == 1 else ("alt", branches)

    def _sequence(self) -> tuple:
        items: list[tuple] = []
        while self._peek() not in (None, "|", ")"):
            atom = self._atom()
            items.append(self._quantified(atom))
        return ("seq", items)

    def _atom(self) -> tuple:
        char = self.text[self.pos]
        self.pos += 1
        if char in "^$":
            return ("lit", "")
        if char == ".":
            return ("set", _WORD)
        if char == "(":
            if self.text.startswith("?:", self.pos):
                self.pos += 2
            elif self.text.startswith("?P<", self.pos) or self.text.startswith("?<", self.pos):
                end = self.text.find(">", self.pos)
                if end < 0 or self.text[self.pos + 2] in "=!":
                    raise PatternTooComplex("lookbehind")
                self.pos = end + 1
            elif self._peek() == "?":
                raise PatternTooComplex("lookaround or inline flag")
            inner = self._alternation()
            if self._peek() != ")":
                raise PatternTooComplex("unbalanced group")
            self.pos += 1
            return inner
        if char == "[":
            return self._char_class()
        if char == "\\":
            return self._escape(in_class=False)
        if char in "*+?":
            raise PatternTooComplex(f"nothing to repeat at {self.pos - 1}")
        return ("lit", char)

    def _escape(self, in_class: bool) -> tuple:
        if self.pos >= len(self.text):
            raise PatternTooComplex("trailing backslash")
        char = self.text[self.pos]
        self.pos += 1
        if char in _CLASS_ESCAPES:
            return ("set", _CLASS_ESCAPES[char])
        if char in _CHAR_ESCAPES:
            return ("lit", _CHAR_ESCAPES[char])
        if char.isdigit() or (char in "bBAZzuxpP" and not in_class):
            raise PatternTooComplex(f"unsupported escape \\{char}")
        return ("lit", char)

    def _char_class(self) -> tuple:
        negate = self._peek() == "^"
        if negate:
            self.pos += 1
        chars: list[str] = []
        first = True
        while True:
            char = self._peek()
            if char is None:
                raise PatternTooComplex("unterminated character class")
            if char == "]" and not first:
                self.pos += 1
                break
            first = False
            self.pos += 1
            if char == "\\":
                chars.extend(self._escape(in_class=True)[1])
                continue
            if self._peek() == "-" and self.pos + 1 < len(self.text) and self.text[self.pos + 1] != "]":
                end = self.text[self.pos + 1]
                self.pos += 2
                if ord(end) < ord(char):
                    raise PatternTooComplex("bad range")
                chars.extend(chr(c) for c in range(ord(char), min(ord(end), ord(char) + 400) + 1))
                continue
            chars.append(char)
        pool = "".join(c for c in _PRINTABLE if c not in chars) if negate else "".join(dict.fromkeys(chars))
        if not pool:
            raise PatternTooComplex("empty character class")
        return ("set", pool)

    def _quantified(self, atom: tuple) -> tuple:
        char = self._peek()
        if char is None:
            return atom
        lo, hi = None, None
        if char == "?":
            lo, hi = 0, 1
        elif char == "*":
            lo, hi = 0, self.max_repeat
        elif char == "+":
            lo, hi = 1, self.max_repeat
        elif char == "{":
            end = self.text.find("}", self.pos)
            body = self.text[self.pos + 1:end] if end > 0 else ""
            parts = [p.strip() for p in body.split(",")]
            if end < 0 or len(parts) > 2 or not all(p.isdigit() or not p for p in parts) or not any(parts):
                return atom  # Python reads a malformed `{` as a literal; so do we (via the next atom)
            lo = int(parts[0] or 0)
            hi = lo if len(parts) == 1 else (int(parts[1]) if parts[1] else lo + self.max_repeat)
            self.pos = end
        if lo is None:
            return atom
        self.pos += 1
        if self._peek() in ("?", "+"):  # lazy / possessive: same strings
            self.pos += 1
        return ("rep", atom, lo, hi)


def _render(node: tuple, rng: random.Random, out: list[str]) -> None:
    kind = node[0]
    if kind == "lit":
        out.append(node[1])
    elif kind == "set":
        out.append(rng.choice(node[1]))
    elif kind == "seq":
        for child in node[1]:
            _render(child, rng, out)
    elif kind == "alt":
        _render(rng.choice(node[1]), rng, out)
    else:
        _, child, lo, hi = node
        for _ in range(rng.randint(lo, max(lo, hi))):
            _render(child, rng, out)


def fake_from_pattern(pattern: str, rng: random.Random, max_repeat: int = 6) -> str:
    """A string that `re.search(pattern, s)` accepts, e.g. `^ORD-\\d{5}$` → `ORD-48291`.

    Raises `PatternTooComplex` when the pattern uses features outside the supported subset or
    the generated string does not match (JSON Schema patterns are ECMA-262; Python's `re` agrees
    on the subset handled here)."""
    try:
        compiled = re.compile(pattern)
    except re.error as exc:
        raise PatternTooComplex(f"invalid pattern: {exc}") from None
    tree = _PatternParser(pattern, max_repeat).parse()
    out: list[str] = []
    _render(tree, rng, out)
    text = "".join(out)
    if not compiled.search(text):
        raise PatternTooComplex(f"generated {text!r} does not match {pattern!r}")
    return text


# ---------------------------------------------------------------- values for a field name or format

_COMPANY_SUFFIXES = ("Group", "Labs", "& Sons", "Trading Co.", "Partners", "Supply")
_STATUSES = ("confirmed", "pending", "completed", "active")
_COLORS = ("black", "white", "navy", "red", "forest green", "silver", "beige")


def snake_case(name: str) -> str:
    """`orderId` → `order_id`, `Created-At` → `created_at`: one spelling for the heuristics."""
    return re.sub(r"([a-z0-9])([A-Z])", r"\1_\2", name).replace("-", "_").lower()


def id_like(key: str, rng: random.Random) -> str:
    """An id shaped after its field: `order_id` → `ORD-48291`, `ticket_id` → `TIC-20417`."""
    stem = key[:-3] if key.endswith("_id") else key.removesuffix("id")
    word = [w for w in stem.split("_") if w] or ["id"]
    prefix = "".join(c for c in word[-1].upper() if c.isalpha())[:3] or "ID"
    return f"{prefix}-{digits(rng, 5)}"


def fake_url(rng: random.Random) -> str:
    return f"https://www.example.com/{fake_word(rng)}/{digits(rng, 4)}"


def fake_ipv4(rng: random.Random) -> str:
    return f"{rng.randint(11, 223)}.{rng.randint(0, 255)}.{rng.randint(0, 255)}.{rng.randint(1, 254)}"


def string_for_format(fmt: str, rng: random.Random) -> str | None:
    """A value of a JSON Schema `format`, or None for formats we do not know."""
    makers: dict[str, Callable[[], str]] = {
        "email": lambda: fake_email(rng),
        "idn-email": lambda: fake_email(rng),
        "date": lambda: fake_date(rng),
        "date-time": lambda: fake_datetime(rng),
        "time": lambda: f"{rng.randint(7, 21):02d}:{rng.choice((0, 15, 30, 45)):02d}:00Z",
        "uri": lambda: fake_url(rng),
        "url": lambda: fake_url(rng),
        "iri": lambda: fake_url(rng),
        "uri-reference": lambda: fake_url(rng),
        "iri-reference": lambda: fake_url(rng),
        "uuid": lambda: fake_uuid(rng),
        "ipv4": lambda: fake_ipv4(rng),
        "ipv6": lambda: ":".join(f"{rng.getrandbits(16):x}" for _ in range(8)),
        "hostname": lambda: f"{fake_word(rng)}.example.com",
        "idn-hostname": lambda: f"{fake_word(rng)}.example.com",
        "duration": lambda: rng.choice(("PT15M", "PT1H", "P3D", "P1W", "PT30S")),
        "regex": lambda: "^[a-z]+$",
        "json-pointer": lambda: f"/{fake_word(rng)}/0",
    }
    maker = makers.get(fmt)
    return maker() if maker else None


def string_for_name(name: str | None, rng: random.Random, tool: str = "") -> str | None:
    """A realistic string for a field called `name` (`email`, `city`, `order_id`, `created_at`,
    `description`...), or None when the name says nothing useful."""
    if not name:
        return None
    key = snake_case(name)
    words = set(key.split("_"))
    if "email" in key:
        return fake_email(rng)
    if key in ("uuid", "guid", "id"):
        return fake_uuid(rng)
    if key.endswith("_id"):
        return id_like(key, rng)
    if words & {"sku"}:
        return fake_sku(rng)
    if "tracking" in words:
        return fake_tracking_number(rng, rng.choice(CARRIERS))
    if "carrier" in words:
        return rng.choice(CARRIERS)
    if key in ("first_name", "given_name", "firstname"):
        return fake_first_name(rng)
    if key in ("last_name", "surname", "family_name", "lastname"):
        return rng.choice(LAST_NAMES)
    if "name" in words or key in ("customer", "user", "owner", "author", "contact", "assignee"):
        if words & {"product", "item"}:
            return fake_item(rng)
        if words & {"company", "business", "store", "shop", "hotel", "restaurant", "merchant", "vendor"}:
            return f"{rng.choice(LAST_NAMES)} {rng.choice(_COMPANY_SUFFIXES)}"
        if words & {"file"}:
            return f"{fake_word(rng)}_{digits(rng, 3)}.pdf"
        if words & {"user"} and key != "user_name" or key == "username":
            return f"{ascii_slug(fake_first_name(rng))}{rng.randint(1, 99)}"
        return fake_name(rng)
    if words & {"phone", "mobile", "telephone", "tel"}:
        return fake_phone(rng)
    if words & {"street"} or key in ("address_line", "address_line1", "address_line_1", "line1"):
        return fake_street(rng)
    if "address" in words and not words & {"ip"}:
        return f"{fake_street(rng)}, {fake_city(rng)} {fake_postal_code(rng)}"
    if words & {"ip"}:
        return fake_ipv4(rng)
    if words & {"city", "town"}:
        return fake_city(rng)
    if "country" in words:
        return rng.choice(("US", "CA", "GB", "DE")) if "code" in words else rng.choice(COUNTRIES)
    if words & {"postal", "zip", "zipcode", "postcode"}:
        return fake_postal_code(rng)
    if key.endswith("_at") or words & {"timestamp", "datetime"}:
        return fake_datetime(rng)
    if words & {"date", "day", "deadline", "birthday", "dob"} or key.endswith("_on"):
        return fake_date(rng)
    if words & {"time"}:
        return f"{rng.randint(7, 21):02d}:{rng.choice((0, 15, 30, 45)):02d}"
    if words & {"url", "uri", "link", "href", "website", "homepage", "image", "avatar"}:
        return fake_url(rng)
    if words & {"status", "state"}:
        return rng.choice(_STATUSES)
    if words & {"currency"}:
        return rng.choice(("USD", "USD", "EUR", "GBP"))
    if words & {"language", "lang", "locale"}:
        return rng.choice(("en", "en", "de", "fr", "es"))
    if words & {"timezone", "tz"}:
        return rng.choice(("America/New_York", "Europe/Berlin", "Asia/Tokyo"))
    if words & {"color", "colour"}:
        return rng.choice(_COLORS)
    if words & {"description", "summary", "message", "note", "notes", "comment", "text", "body",
                "content", "details", "reason", "explanation", "answer", "feedback", "review"}:
        return fake_sentence(rng)
    if words & {"title", "subject", "headline", "label"}:
        return f"{fake_word(rng).title()} {fake_word(rng)}"
    if words & {"item", "product"}:
        return fake_item(rng)
    if words & {"code", "coupon", "promo", "voucher", "reference", "confirmation"}:
        return "".join(rng.choice(_UPPER + _DIGITS) for _ in range(8))
    if words & {"token", "key", "secret", "hash", "signature"}:
        return "".join(rng.choice("0123456789abcdef") for _ in range(32))
    if words & {"type", "kind", "category", "tag", "slug"}:
        return fake_word(rng)
    return None


# (low, high, kind): kind "money" | "float" draw two-decimal numbers, "count" | "int" integers.
_NUMBER_HINTS: tuple[tuple[tuple[str, ...], tuple[float, float, str]], ...] = (
    (("count", "quantity", "qty", "units", "stock", "guests", "seats", "adults", "children"), (1, 5, "count")),
    (("position", "rank", "queue", "page", "floor"), (1, 20, "int")),
    (("price", "amount", "total", "cost", "balance", "subtotal", "fee", "refund", "tax", "revenue",
      "salary", "payment", "charge", "budget", "fare"), (5, 500, "money")),
    (("minutes", "mins", "wait", "duration"), (2, 45, "int")),
    (("hours",), (1, 24, "int")),
    (("days", "nights"), (1, 14, "int")),
    (("seconds", "secs", "timeout"), (1, 300, "int")),
    (("age",), (18, 80, "int")),
    (("year",), (2018, 2026, "int")),
    (("month",), (1, 12, "int")),
    (("rating", "stars", "score"), (1, 5, "int")),
    (("percent", "percentage", "pct", "discount"), (0, 100, "float")),
    (("ratio", "probability", "confidence"), (0, 1, "float")),
    (("lat", "latitude"), (-90, 90, "float")),
    (("lon", "lng", "longitude"), (-180, 180, "float")),
    (("temperature", "temp"), (-10, 35, "float")),
    (("weight", "kg"), (0.2, 30, "float")),
    (("height", "width", "length", "size", "distance", "km", "miles"), (1, 500, "float")),
    (("limit", "offset", "per_page"), (1, 50, "int")),
    (("id",), (1000, 99999, "int")),
)


def number_range_for(name: str | None) -> tuple[float, float, str] | None:
    """A realistic (low, high, kind) for a numeric field called `name`, or None."""
    if not name:
        return None
    words = set(snake_case(name).split("_"))
    for names, hint in _NUMBER_HINTS:
        if words & set(names):
            return hint
    return None
