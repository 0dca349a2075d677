"""Generated city data for profile gif-facility, with defects injected at known places.

Each facility is one IRI with ~20 triples: an identifier and a contact point as blank nodes
(so that nested shapes meet blank nodes), an address IRI, names, codes and times. Every
``defect_every``-th facility gets one defect, cycling through: no name, a malformed POI code,
a malformed e-mail, a contact with no means of contact (sh:or), a fee type outside sh:in, a
closing time out of range, no contact at all. Values are ASCII or full-width text that every
engine's REGEX reads alike (Virtuoso's REGEX reads bytes, see tests/validation/test_in_place.py).
Used by the in-place differential test (small) and bench/validate_in_place.py (millions).
"""

from __future__ import annotations

import random
from collections.abc import Iterator

CORE = "https://w3id.org/cityref/def/core#"
GOVERNMENT = "https://w3id.org/cityref/def/government#"
CITY = "https://example.jp/city/"
RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
DEFECTS = ("no-name", "poi-code", "email", "no-means", "fee", "closing", "no-contact")
TRIPLES_PER_FACILITY = 21


def _lit(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def facility_lines(index: int, defect: str | None, rng: random.Random) -> Iterator[str]:
    """The N-Triples lines of facility ``index`` (with ``defect`` injected, if any)."""
    f = f"<{CITY}facility-{index}>"
    ident, contact = f"_:id{index}", f"_:contact{index}"

    def t(s: str, p: str, o: str) -> str:
        return f"{s} <{p}> {o} .\n"

    yield t(f, RDF_TYPE, f"<{CORE}Facility>")
    yield t(f, CORE + "identifier", ident)
    yield t(ident, CORE + "identifierValue", _lit(f"F-{index:08d}"))
    if defect != "no-name":
        yield t(f, CORE + "name", _lit(f"市民施設{index}"))
    yield t(f, CORE + "nameKana", _lit("シミンシセツ"))
    yield t(f, CORE + "nameRomaji", _lit(f"Civic Facility {index}"))
    yield t(
        f, CORE + "poiCode", _lit("A1" if defect == "poi-code" else f"{rng.randrange(10000):04d}")
    )
    yield t(f, GOVERNMENT + "summary", _lit("市民のための施設です。"))
    yield t(f, CORE + "description", _lit("会議室とホールがあります。"))
    yield t(f, CORE + "address", f"<{CITY}facility-{index}-address>")
    yield t(f, CORE + "availableDays", _lit("23456"))
    yield t(f, CORE + "openingTime", _lit("09:00"))
    yield t(f, CORE + "closingTime", _lit("25:00" if defect == "closing" else "21:00"))
    yield t(f, GOVERNMENT + "feeType", _lit("時価" if defect == "fee" else "無料"))
    if defect == "no-contact":
        yield t(f, CORE + "description", _lit("連絡先は未定です。"))
        return
    yield t(f, CORE + "contactPoint", contact)
    yield t(contact, CORE + "name", _lit(f"受付{index}"))
    yield t(contact, CORE + "postalCode", _lit(f"{rng.randrange(10**7):07d}"))
    if defect == "no-means":
        yield t(contact, CORE + "postalCode", _lit("4250022"))
        return
    email = f"info{index}(at)example.jp" if defect == "email" else f"info{index}@example.jp"
    yield t(contact, CORE + "email", _lit(email))
    yield t(contact, CORE + "telephone", _lit(f"054-626-{rng.randrange(10000):04d}"))


def generate_city(triples: int, defect_every: int = 50, seed: int = 16) -> Iterator[bytes]:
    """About ``triples`` triples of facilities as N-Triples, in chunks of whole facilities."""
    rng = random.Random(seed)
    facilities = max(1, triples // TRIPLES_PER_FACILITY)
    chunk: list[str] = []
    for i in range(facilities):
        defect = DEFECTS[(i // defect_every) % len(DEFECTS)] if i % defect_every == 0 else None
        chunk.extend(facility_lines(i, defect, rng))
        if len(chunk) >= 200_000:
            yield "".join(chunk).encode()
            chunk = []
    if chunk:
        yield "".join(chunk).encode()
