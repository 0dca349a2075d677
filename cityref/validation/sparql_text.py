"""SPARQL query text for SHACL-SPARQL (spec 5.2-5.3): prefixes, pre-binding, restrictions.

Pre-binding is done on the query text: each pre-bound variable is replaced by its value
(a projected variable becomes ``(value AS ?var)``, ``bound(?var)`` becomes ``true``). This
follows the spec's definition (the value is in scope everywhere, subqueries included), which
pyoxigraph's ``substitutions`` (a join on the outer query) does not.
"""

from __future__ import annotations

import functools
import re

from pyoxigraph import NamedNode

from cityref.text import Bilingual
from cityref.validation.errors import ShapesError
from cityref.validation.graph import Graph
from cityref.validation.terms import Term, sh

OWL_IMPORTS = NamedNode("http://www.w3.org/2002/07/owl#imports")

_TOKEN = re.compile(
    r"""(?P<str>'''.*?'''|\"\"\".*?\"\"\"|'(?:[^'\\\n]|\\.)*'|"(?:[^"\\\n]|\\.)*")"""
    r"""|(?P<iri><[^<>"{}|^`\\\s]*>)"""
    r"""|(?P<comment>\#[^\n]*)"""
    r"""|(?P<var>[?$][A-Za-z_0-9\u00B7-\uFFFF]+)"""
    r"""|(?P<word>[A-Za-z_][A-Za-z_0-9-]*(?::[A-Za-z_0-9.-]*)?)"""
    r"""|(?P<other>\s+|.)""",
    re.S,
)


def tokens(query: str) -> list[tuple[str, str]]:
    """(kind, text) tokens; kinds: str, iri, comment, var, word, other."""
    return [(m.lastgroup or "other", m.group()) for m in _TOKEN.finditer(query)]


def prefix_declarations(graph: Graph, node: Term) -> str:
    """PREFIX lines for the sh:prefixes of a SPARQL constraint or validator (spec 5.2.1)."""
    lines: list[str] = []
    owners: list[Term] = []
    todo = list(graph.objects(node, sh("prefixes")))
    while todo:  # owl:imports is followed only inside the shapes graph, never fetched
        owner = todo.pop()
        if owner not in owners:
            owners.append(owner)
            todo.extend(graph.objects(owner, OWL_IMPORTS))
    for owner in owners:
        for decl in graph.objects(owner, sh("declare")):
            prefix = graph.one(decl, sh("prefix"))
            namespace = graph.one(decl, sh("namespace"))
            if prefix is None or namespace is None:
                raise ShapesError(
                    Bilingual(
                        f"{decl} の sh:declare に sh:prefix と sh:namespace がありません",
                        f"sh:declare without sh:prefix and sh:namespace at {decl}",
                    )
                )
            lines.append(f"PREFIX {prefix.value}: <{namespace.value}>")
    return "\n".join(dict.fromkeys(lines)) + "\n" if lines else ""


def check_supported(query: str, prebound: set[str]) -> None:
    """Refuse what pre-binding cannot support (spec 5.3.1): MINUS, SERVICE, VALUES,
    ``AS ?prebound``, and subqueries that do not project the pre-bound variable ``$this``."""
    toks = [t for t in tokens(query) if t[0] not in ("comment",) and not t[1].isspace()]
    selects = 0
    for i, (kind, text) in enumerate(toks):
        upper = text.upper()
        if kind == "word" and upper in ("MINUS", "SERVICE", "VALUES"):
            raise ShapesError(
                Bilingual(
                    f"SHACL-SPARQL では事前束縛のあるクエリに {upper} を使えません",
                    f"SHACL-SPARQL does not allow {upper} in pre-bound queries",
                )
            )
        if kind == "var" and text[1:] in prebound and i > 0 and toks[i - 1][1].upper() == "AS":
            raise ShapesError(
                Bilingual(
                    f"SHACL-SPARQL では事前束縛された {text} を束縛し直せません",
                    f"SHACL-SPARQL does not allow rebinding the pre-bound {text}",
                )
            )
        if kind == "word" and upper == "SELECT":
            selects += 1
            if selects > 1 and "this" in prebound:
                projection: list[str] = []
                for _, t in toks[i + 1 :]:
                    if t.upper() == "WHERE" or t == "{":
                        break
                    projection.append(t)
                # SELECT * is refused too: a FILTER does not put $this in scope (W3C
                # pre-binding-006), so only an explicit $this counts.
                if not any(p[1:] == "this" for p in projection):
                    raise ShapesError(
                        Bilingual(
                            "副問い合わせは事前束縛された変数 $this を返す必要があります",
                            "a subquery must return the pre-bound variable $this",
                        )
                    )


def _more_projection(toks: list[tuple[str, str]], start: int) -> bool:
    """True when the projection goes on after position ``start`` (before WHERE or '{')."""
    for kind, text in toks[start:]:
        if text.upper() == "WHERE" or text == "{":
            return False
        if not text.isspace() and kind != "comment":
            return True
    return False


_MARK = "\x00"  # cannot occur in a SPARQL query, so it can stand for a value


@functools.lru_cache(maxsize=512)
def _template(query: str, names: tuple[str, ...]) -> tuple[str, ...]:
    """The substituted query with a numbered mark where each value goes: text and mark
    numbers alternate. Substituting once per query shape, not once per value, saves the
    tokenising that dominated validation with per-value SPARQL validators."""
    marked = _substitute(query, {name: f"{_MARK}{i}{_MARK}" for i, name in enumerate(names)})
    return tuple(marked.split(_MARK))


def substitute(query: str, values: dict[str, str]) -> str:
    """The query with each variable named in ``values`` replaced by that SPARQL text."""
    names = tuple(sorted(values))
    parts = _template(query, names)
    return "".join(
        part if index % 2 == 0 else values[names[int(part)]] for index, part in enumerate(parts)
    )


def _substitute(query: str, values: dict[str, str]) -> str:
    """The substitution itself: variables named in ``values`` become that SPARQL text."""
    toks = tokens(query)
    out: list[str] = []
    in_projection = False
    selects = 0
    depth = 0
    i = 0
    while i < len(toks):
        kind, text = toks[i]
        upper = text.upper()
        if kind == "word" and upper == "SELECT":
            in_projection, depth = True, 0
            selects += 1
        elif (kind == "word" and upper == "WHERE") or (text == "{" and in_projection):
            in_projection = False
        elif text == "(":
            depth += 1
        elif text == ")":
            depth -= 1
        if kind == "word" and upper == "BOUND":
            # bound(?prebound) is true; look ahead over whitespace for "( ?var )".
            j, rest = i + 1, []
            while j < len(toks) and (
                toks[j][1].isspace() or toks[j][1] in "()" or toks[j][0] == "var"
            ):
                rest.append(toks[j])
                if toks[j][1] == ")":
                    break
                j += 1
            names = [t[1][1:] for t in rest if t[0] == "var"]
            if len(names) == 1 and names[0] in values and rest and rest[-1][1] == ")":
                out.append("(true)")
                i = j + 1
                continue
        if kind == "var" and text[1:] in values:
            name = text[1:]
            if in_projection and depth == 0:
                # The outer query reports the value; a subquery just stops projecting it
                # (its value is already in place), keeping the projection non-empty.
                if selects == 1:
                    out.append(f"({values[name]} AS ?{name})")
                elif not _more_projection(toks, i + 1):
                    out.append("*")
            else:
                out.append(values[name])
        else:
            out.append(text)
        i += 1
    return "".join(out)
