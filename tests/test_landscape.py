"""The landscape in the graph matches the seed document, read afresh from the seed itself.

The seed is parsed here independently of how registry/landscape/ was written, so a slip in
the Turtle (a changed character, a lost bullet, a wrong amount) shows up as a difference.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

import pyoxigraph as ox
import pytest

REPO = Path(__file__).resolve().parents[1]
SEED = REPO / "tests" / "data" / "seed" / "000_2c4b853ca91c8732.txt"
LANDSCAPE_FILES = [
    REPO / "ontology" / "landscape.ttl",
    *sorted((REPO / "ontology" / "schemes").glob("*.ttl")),
    *sorted((REPO / "registry" / "landscape").glob("*.ttl")),
]

BASE = "https://w3id.org/cityref/"
PREFIXES = f"""
PREFIX rdf: <http://www.w3.org/1999/02/22-rdf-syntax-ns#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
PREFIX owl: <http://www.w3.org/2002/07/owl#>
PREFIX xsd: <http://www.w3.org/2001/XMLSchema#>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
PREFIX dcterms: <http://purl.org/dc/terms/>
PREFIX core: <{BASE}def/core#>
PREFIX landscape: <{BASE}def/landscape#>
"""

# The fixed domain IRIs, in the seed's row order.
DOMAIN_SLUGS = [
    "mobility", "health", "infrastructure", "agriculture", "logistics", "energy",
    "manufacturing", "finance", "environment", "waste", "ocean", "space", "government",
    "education", "safety", "cityos",
]  # fmt: skip
KIND_COLUMNS = ["TargetState", "DataLinkageStatus", "Pilot", "Challenge"]
EMPTY_CELLS = {"—", "ー"}  # the seed marks a missing field or area with either character


@dataclass
class Bullet:
    kind: str
    position: int
    text: str
    sub_items: list[str] = field(default_factory=list)


@dataclass
class Row:
    table: int
    field_cell: str
    area_cell: str
    bullets: list[Bullet]


@dataclass
class Funding:
    grant: bool
    ministry: str
    name: str
    overview: str
    targets: str | None
    amount_text: str


@dataclass
class Seed:
    rows: list[Row]
    funding: list[Funding]
    principles: list[tuple[str, list[str]]]  # title, then body lines or numbered points
    layers: list[str]
    key_finding: str


def _cells(line: str) -> list[str]:
    return [c.strip() for c in line.strip().strip("|").split("|")]


def _is_data_row(cells: list[str], header: str) -> bool:
    return header not in cells and not set(cells[0]) <= set("-")


def _bullets(cell: str, kind: str) -> list[Bullet]:
    out = []
    for pos, chunk in enumerate(cell.split("●")[1:], 1):
        sub: list[str] = []
        if "<ul" in chunk:  # only 都市OS / 課題 nests a list, with ・ as the marker
            chunk, nested = chunk.split("<ul", 1)
            nested = re.sub(r"<[^>]*>", "", nested.split(">", 1)[1])
            sub = [s.strip() for s in re.split(r"(?:^|\s)・\s", nested) if s.strip()]
        out.append(Bullet(kind, pos, re.sub(r"<[^>]*>", "", chunk).strip(), sub))
    return out


def parse_seed(text: str) -> Seed:
    tables_part, rest = text.split("スーパーシティにおける各レイヤーの構築主体と支援策", 1)
    rows: list[Row] = []
    table = 0
    for block in re.split(r"\n\s*\n", tables_part):
        lines = [ln for ln in block.splitlines() if ln.startswith("|")]
        if not lines:
            continue
        table += 1
        for line in lines:
            cells = _cells(line)
            if _is_data_row(cells, "スーパーシティ構成領域"):
                bullets = [
                    b for k, c in zip(KIND_COLUMNS, cells[2:6], strict=True) for b in _bullets(c, k)
                ]
                rows.append(Row(table, cells[0], cells[1], bullets))
    grants_part, loans_part = rest.split("①交付金・補助金")[1].split("②投融資")
    loans_part = loans_part.split("Super Cityの要諦")[0]
    funding = [
        Funding(True, c[0], c[1], c[2], c[3], c[4])
        for c in map(_cells, grants_part.splitlines())
        if len(c) == 5 and _is_data_row(c, "交付金名")
    ] + [
        Funding(False, c[0], c[1], c[2], None, c[3])
        for c in map(_cells, loans_part.splitlines())
        if len(c) == 4 and _is_data_row(c, "財政投融資名")
    ]
    principles_part, overview_part = rest.split("Super Cityの要諦")[1].split("Super Cityの全体像")
    principles: list[tuple[str, list[str]]] = []
    for line in filter(None, map(str.strip, principles_part.splitlines())):
        if m := re.fullmatch(r"\d\. (.*)", line):
            principles.append((m.group(1), []))
        elif m := re.fullmatch(r"- \(\d\) (.*)", line):
            principles[-1][1].append(m.group(1))
        elif principles[-1][1] and line.startswith("("):
            principles[-1][1][-1] += "\n" + line  # continuation of a numbered point
        else:
            principles[-1][1].append(line)
    layers = [ln.strip() for ln in overview_part.splitlines() if ln.strip()]
    key = re.search(r"^○ (.*)$", text, re.M)
    assert key, "the seed's key finding (○) is missing"
    return Seed(rows, funding, principles, layers, key.group(1).strip())


def yen(amount_text: str) -> Decimal:
    """'8,886億' -> 888600000000; also '1兆2,000億'. 億 = 10^8, 兆 = 10^12."""
    m = re.fullmatch(r"(?:([\d,.]+)兆)?(?:([\d,.]+)億)?", amount_text)
    assert m and amount_text, f"unexpected amount {amount_text!r}"
    cho, oku = (Decimal((g or "0").replace(",", "")) for g in m.groups())
    return cho * 10**12 + oku * 10**8


def squash(text: str) -> str:
    """Compare funding cells without the HTML list markup and white space."""
    return re.sub(r"\s+", "", re.sub(r"<[^>]*>", "", text))


@pytest.fixture(scope="module")
def seed() -> Seed:
    if not SEED.is_file():
        pytest.fail(f"the seed document is missing: expected it at {SEED}", pytrace=False)
    return parse_seed(SEED.read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def store() -> Iterator[ox.Store]:
    st = ox.Store()
    for path in LANDSCAPE_FILES:
        graph = ox.NamedNode(BASE + "graph/" + path.relative_to(REPO).as_posix())
        st.load(path.read_bytes(), format=ox.RdfFormat.TURTLE, to_graph=graph)
    yield st


def select(st: ox.Store, query: str) -> list[dict[str, str]]:
    """Rows of a SELECT as {variable: lexical value}; unbound variables are left out."""
    result = st.query(PREFIXES + query, use_default_graph_as_union=True)
    assert isinstance(result, ox.QuerySolutions)
    names = [v.value for v in result.variables]
    return [{n: s[n].value for n in names if s[n] is not None} for s in result]


def test_seed_counts(seed: Seed) -> None:
    # The figures, checked against our own reading of the seed.
    assert len(seed.rows) == 16
    assert [r.table for r in seed.rows] == [1] * 4 + [2] * 3 + [3] * 6 + [4] * 3
    assert sum(len(r.bullets) for r in seed.rows) == 96
    assert sum(len(b.sub_items) for r in seed.rows for b in r.bullets) == 3
    assert len(seed.funding) == 11 and sum(f.grant for f in seed.funding) == 7
    assert len(seed.principles) == 3 and len(seed.layers) == 3


def test_files_use_absolute_iris_only() -> None:
    for path in LANDSCAPE_FILES:
        assert "@base" not in path.read_text(encoding="utf-8"), path


def test_sixteen_rows(seed: Seed, store: ox.Store) -> None:
    got = select(
        store,
        """
        SELECT ?pos ?table ?fieldCell ?areaCell ?domain ?field ?fieldLabel ?area ?areaLabel {
          ?row a landscape:LandscapeRow ; landscape:position ?pos ; landscape:tableNumber ?table ;
               landscape:fieldCell ?fieldCell ; landscape:areaCell ?areaCell ;
               landscape:rowDomain ?domain .
          OPTIONAL { ?domain landscape:hasSociety5Field ?field .
                     ?field skos:prefLabel ?fieldLabel FILTER(lang(?fieldLabel) = "ja") }
          OPTIONAL { ?domain landscape:hasSuperCityArea ?area .
                     ?area skos:prefLabel ?areaLabel FILTER(lang(?areaLabel) = "ja") }
        } ORDER BY xsd:integer(?pos)""",
    )
    assert len(got) == 16
    for i, (row, g) in enumerate(zip(seed.rows, got, strict=True), 1):
        assert g["pos"] == str(i) and g["table"] == str(row.table)
        assert g["domain"] == f"{BASE}def/domain/{DOMAIN_SLUGS[i - 1]}"
        assert (g["fieldCell"], g["areaCell"]) == (row.field_cell, row.area_cell)
        # a dash in the seed means the row has no field (or area); otherwise the label is the cell
        assert g.get("fieldLabel") == (None if row.field_cell in EMPTY_CELLS else row.field_cell)
        assert g.get("areaLabel") == (None if row.area_cell in EMPTY_CELLS else row.area_cell)


def test_schemes_and_mappings(store: ox.Store) -> None:
    def members(scheme: str) -> int:
        return len(select(store, f"SELECT ?c {{ ?c skos:inScheme <{BASE}def/{scheme}/> }}"))

    assert (members("domain"), members("field"), members("area")) == (16, 13, 11)
    assert members("status") == 5
    # every row with both a field and an area maps the two with a SKOS mapping property
    unmapped = select(
        store,
        """
        SELECT ?d {
          ?d landscape:hasSociety5Field ?f ; landscape:hasSuperCityArea ?a .
          FILTER NOT EXISTS { ?f skos:exactMatch|skos:closeMatch|skos:broadMatch
                                 |skos:narrowMatch|skos:relatedMatch ?a }
        }""",
    )
    assert unmapped == []
    one_sided = select(
        store,
        """
        SELECT ?d ?side {
          { ?d a landscape:DomainRow FILTER NOT EXISTS { ?d landscape:hasSuperCityArea ?x }
            BIND("field only" AS ?side) }
          UNION
          { ?d a landscape:DomainRow FILTER NOT EXISTS { ?d landscape:hasSociety5Field ?x }
            BIND("area only" AS ?side) }
        } ORDER BY ?side ?d""",
    )
    assert [(r["side"], r["d"].rsplit("/", 1)[1]) for r in one_sided] == [
        ("area only", "education"),
        ("area only", "safety"),
        ("area only", "waste"),
        ("field only", "agriculture"),
        ("field only", "environment"),
        ("field only", "manufacturing"),
        ("field only", "ocean"),
        ("field only", "space"),
    ]


def test_every_bullet_verbatim_with_kind_and_domain(seed: Seed, store: ox.Store) -> None:
    got = select(
        store,
        """
        SELECT ?s ?kind ?text ?labelJa ?labelEn ?pos ?rowPos ?domain ?parentText {
          ?s a ?kind ; landscape:seedText ?text ; rdfs:label ?labelJa, ?labelEn ;
             landscape:position ?pos ; landscape:inRow ?row ; core:domain ?domain .
          ?kind rdfs:subClassOf landscape:LandscapeStatement .
          ?row landscape:position ?rowPos .
          FILTER(lang(?labelJa) = "ja" && lang(?labelEn) = "en" && lang(?text) = "ja")
          OPTIONAL { ?s landscape:subItemOf/landscape:seedText ?parentText }
        }""",
    )
    by_text: dict[str, list[dict[str, str]]] = {}
    for g in got:
        by_text.setdefault(g["text"], []).append(g)
    problems: list[str] = []
    expected = 0
    for row_pos, row in enumerate(seed.rows, 1):
        domain = f"{BASE}def/domain/{DOMAIN_SLUGS[row_pos - 1]}"
        for b in row.bullets:
            items: list[tuple[str, int, str | None]] = [(b.text, b.position, None)]
            items += [(s, i, b.text) for i, s in enumerate(b.sub_items, 1)]
            for text, pos, parent in items:
                expected += 1
                found = by_text.get(text, [])
                if len(found) != 1:
                    problems.append(f"{len(found)} statements with text {text!r}")
                    continue
                g = found[0]
                want = (f"{BASE}def/landscape#{b.kind}", str(pos), str(row_pos), domain, parent)
                have = (g["kind"], g["pos"], g["rowPos"], g["domain"], g.get("parentText"))
                if want != have or g["labelJa"] != text or not g["labelEn"].strip():
                    problems.append(f"{text!r}: want {want}, have {have}")
    assert not problems, "\n".join(problems)
    assert expected == len(got) == 99  # nothing in the graph that the seed does not have


def test_funding_schemes_with_exact_amounts(seed: Seed, store: ox.Store) -> None:
    got = select(
        store,
        """
        SELECT ?name ?cls ?pos ?ministry ?amount ?year ?amountText ?overview ?targets {
          ?f a ?cls ; rdfs:label ?name ; landscape:position ?pos ;
             landscape:responsibleAgency ?agency ; landscape:overview ?overview ;
             landscape:hasBudget ?b .
          ?cls rdfs:subClassOf landscape:FundingScheme .
          ?agency rdfs:label|skos:altLabel ?ministry .
          ?b landscape:amountJPY ?amount ; landscape:fiscalYear ?year ;
             landscape:seedAmountText ?amountText .
          OPTIONAL { ?f landscape:targetProjects ?targets FILTER(lang(?targets) = "ja") }
          FILTER(lang(?name) = "ja" && lang(?overview) = "ja" && lang(?ministry) = "ja")
        } ORDER BY xsd:integer(?pos)""",
    )
    rows: dict[str, list[dict[str, str]]] = {}
    for g in got:  # one line per label or altLabel of the agency
        rows.setdefault(g["name"], []).append(g)
    assert len(rows) == 11
    for f in seed.funding:
        lines = rows[f.name]
        g = lines[0]
        assert f.ministry in {line["ministry"] for line in lines}, f.name
        kind = "Grant" if f.grant else "FiscalInvestmentAndLoan"
        assert g["cls"] == f"{BASE}def/landscape#{kind}"
        assert Decimal(g["amount"]) == yen(f.amount_text), f.name
        assert (g["year"], g["amountText"]) == ("2018", f.amount_text)
        assert squash(g["overview"]) == squash(f.overview), f.name
        assert (squash(g["targets"]) if "targets" in g else None) == (
            squash(f.targets) if f.targets else None
        ), f.name
    total = select(
        store,
        """
        SELECT (SUM(?a) AS ?total) { ?b a landscape:BudgetAllocation ; landscape:amountJPY ?a }""",
    )
    assert Decimal(total[0]["total"]) == sum(yen(f.amount_text) for f in seed.funding)
    assert yen("8,886億") == Decimal(888600000000) and yen("14.5億") == Decimal(1450000000)


def test_principles_and_layers(seed: Seed, store: ox.Store) -> None:
    got = select(
        store,
        """
        SELECT ?pos ?title ?body {
          ?p a landscape:Principle ; landscape:position ?pos ; landscape:seedText ?title .
          OPTIONAL { ?p landscape:explanation ?body FILTER(lang(?body) = "ja") }
        } ORDER BY ?pos""",
    )
    points = select(
        store,
        """
        SELECT ?pos ?text { ?x a landscape:PrinciplePoint ; landscape:position ?pos ;
                               landscape:partOf/landscape:position 1 ; landscape:seedText ?text }
        ORDER BY ?pos""",
    )
    (t1, p1), (t2, b2), (t3, b3) = seed.principles
    assert [(g["title"], g.get("body")) for g in got] == [
        (t1, None),
        (t2, "\n".join(b2)),
        (t3, "\n".join(b3)),
    ]
    assert [g["text"] for g in points] == p1
    layers = select(
        store,
        """
        SELECT ?name { ?l a landscape:Layer ; landscape:seedText ?name ; landscape:position ?p }
        ORDER BY ?p""",
    )
    assert [g["name"] for g in layers] == seed.layers
    finding = select(store, "SELECT ?t { ?k a landscape:KeyFinding ; landscape:seedText ?t }")
    assert [g["t"] for g in finding] == [seed.key_finding]


def test_everything_has_japanese_and_english_labels(store: ox.Store) -> None:
    missing = select(
        store,
        f"""
        SELECT DISTINCT ?s {{
          ?s ?p ?o .
          FILTER(isIRI(?s) && STRSTARTS(STR(?s), "{BASE}"))
          FILTER NOT EXISTS {{ ?s a owl:Ontology }}
          FILTER(!EXISTS {{ ?s rdfs:label ?ja FILTER(lang(?ja) = "ja") }}
                 || !EXISTS {{ ?s rdfs:label ?en FILTER(lang(?en) = "en") }})
        }}""",
    )
    assert missing == []
    concepts_missing = select(
        store,
        """
        SELECT ?c {
          ?c a skos:Concept .
          FILTER NOT EXISTS { ?c skos:prefLabel ?ja ; skos:prefLabel ?en ;
                                 skos:definition ?dja ; skos:definition ?den ;
                                 skos:inScheme ?scheme ; dcterms:source ?src
                              FILTER(lang(?ja) = "ja" && lang(?en) = "en"
                                     && lang(?dja) = "ja" && lang(?den) = "en") }
        }""",
    )
    assert concepts_missing == []
    one_language_only = select(
        store,
        """
        SELECT ?s ?p {
          ?s ?p ?text .
          VALUES ?p { landscape:overview landscape:targetProjects landscape:explanation
                      dcterms:description skos:definition }
          FILTER(!EXISTS { ?s ?p ?ja FILTER(lang(?ja) = "ja") }
                 || !EXISTS { ?s ?p ?en FILTER(lang(?en) = "en") })
        }""",
    )
    assert one_language_only == []


def test_term_metadata(store: ox.Store) -> None:
    # every class, property and concept of ours: definitions ja/en, module, status, domain, source
    incomplete = select(
        store,
        f"""
        SELECT ?t {{
          ?t a ?type .
          VALUES ?type {{ owl:Class owl:ObjectProperty owl:DatatypeProperty skos:Concept }}
          FILTER(STRSTARTS(STR(?t), "{BASE}def/"))
          FILTER NOT EXISTS {{
            ?t skos:definition ?dja, ?den ; rdfs:isDefinedBy ?module ; dcterms:source ?src ;
               core:status ?status ; core:domain ?domain .
            ?module a owl:Ontology .
            ?status skos:inScheme <{BASE}def/status/> .
            ?domain skos:inScheme <{BASE}def/domain/> .
            FILTER(lang(?dja) = "ja" && lang(?den) = "en")
          }}
        }}""",
    )
    assert incomplete == []
    headers = select(
        store,
        """
        SELECT ?o { ?o a owl:Ontology ; owl:versionIRI ?v ; owl:versionInfo ?i ;
                       dcterms:license <https://creativecommons.org/licenses/by/4.0/> ;
                       dcterms:title ?ja, ?en FILTER(lang(?ja) = "ja" && lang(?en) = "en") }""",
    )
    modules = [p for p in LANDSCAPE_FILES if p.relative_to(REPO).parts[0] == "ontology"]
    assert len(headers) == len(modules)


def test_city_os_architecture(store: ox.Store) -> None:
    groups = select(
        store,
        """
        SELECT ?ja { ?g a landscape:CityOSFunctionGroup ; skos:prefLabel ?ja ;
                        skos:broader <https://w3id.org/cityref/def/scra/cityos>
                     FILTER(lang(?ja) = "ja") } ORDER BY ?ja""",
    )
    assert sorted(g["ja"] for g in groups) == sorted(
        ["サービス連携", "認証", "サービスマネジメント", "データマネジメント",
         "アセットマネジメント", "外部データ連携", "セキュリティ", "運用"]
    )  # fmt: skip
    common = select(
        store,
        """
        SELECT ?ja { ?c a landscape:CommonFunction ; skos:prefLabel ?ja FILTER(lang(?ja) = "ja") }
        ORDER BY ?ja""",
    )
    assert sorted(g["ja"] for g in common) == sorted(["認証", "決済", "データ連携基盤", "センサー"])
    statuses = select(store, "SELECT ?s { ?s a landscape:LifecycleStatus } ORDER BY ?s")
    assert [g["s"].rsplit("/", 1)[1] for g in statuses] == sorted(
        ["draft", "candidate", "adopted", "deprecated", "retired"]
    )


def test_named_agencies_appear_in_the_text(store: ox.Store) -> None:
    # namesAgency means the text names the agency (in full or by a seed abbreviation)
    got = select(
        store,
        """
        SELECT ?s ?a ?text ?name {
          ?s landscape:namesAgency ?a ; landscape:seedText ?text .
          ?a rdfs:label|skos:altLabel ?name FILTER(lang(?name) = "ja")
        }""",
    )
    named: dict[tuple[str, str], bool] = {}
    for g in got:
        key = (g["s"], g["a"])
        named[key] = named.get(key, False) or g["name"] in g["text"]
    assert named and all(named.values()), [k for k, ok in named.items() if not ok]
