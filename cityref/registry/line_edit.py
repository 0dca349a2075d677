"""Line-level edits of one Turtle block: the smallest text change for a patch.

A removed statement whose line reads exactly ``predicate object ;`` (or ``… .``) loses that
line; added statements become new ``predicate object`` lines before the block's final ``.``.
The edit is checked by parsing the new text; when it does not give exactly the expected
statements (other layouts, blank nodes, object lists), the caller rewrites the whole block.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from pyoxigraph import BlankNode, NamedNode, RdfFormat, Triple, parse

RDF_TYPE = NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")


def _statement_text(line: str) -> tuple[str, str]:
    """(content without the final ';' or '.', that terminator)."""
    body = line.strip()
    for end in (";", "."):
        if body.endswith(end):
            return body[: -len(end)].rstrip(), end
    return body, ""


def _plain(triples: Sequence[Triple]) -> bool:
    return all(
        isinstance(t.subject, NamedNode) and not isinstance(t.object, BlankNode) for t in triples
    )


def edit_lines(
    text: str,
    header: str,
    render: Callable[[Triple], str],
    added: Sequence[Triple],
    removed: Sequence[Triple],
    expected: Sequence[Triple],
) -> str | None:
    """``text`` with ``removed`` lines dropped and ``added`` lines appended, or None."""
    if not _plain(added) or not _plain(removed):
        return None
    lines = text.splitlines(True)
    for triple in removed:
        wanted = render(triple)
        index = next(
            (i for i, line in enumerate(lines) if _statement_text(line)[0] == wanted), None
        )
        if index is None or index == 0:
            return None
        _body, end = _statement_text(lines[index])
        del lines[index]
        if end == ".":
            previous = index - 1
            while previous > 0 and lines[previous].lstrip().startswith("#"):
                previous -= 1
            body, prev_end = _statement_text(lines[previous])
            if prev_end != ";" or previous == 0:
                return None
            indent = lines[previous][: len(lines[previous]) - len(lines[previous].lstrip())]
            lines[previous] = f"{indent}{body} .\n"
    if added:
        last = max((i for i, line in enumerate(lines) if line.strip()), default=None)
        if last is None or last == 0:
            return None
        body, end = _statement_text(lines[last])
        if end != ".":
            return None
        second = lines[1] if len(lines) > 1 else ""
        indent = second[: len(second) - len(second.lstrip())] or "    "
        lines[last] = f"{lines[last][: len(lines[last]) - len(lines[last].lstrip())]}{body} ;\n"
        new = [f"{indent}{render(t)} ;\n" for t in added]
        new[-1] = new[-1][: -len(" ;\n")] + " .\n"
        lines[last + 1 : last + 1] = new
    edited = "".join(lines)
    try:
        got = [q.triple for q in parse((header + "\n" + edited).encode("utf-8"), RdfFormat.TURTLE)]
    except SyntaxError:
        return None
    if not _same(got, expected):
        return None
    return edited


def _same(got: Sequence[Triple], expected: Sequence[Triple]) -> bool:
    """Equal statements; those with blank nodes are compared by count only."""
    plain_got = {t for t in got if _plain([t])}
    plain_expected = {t for t in expected if _plain([t])}
    others = len([t for t in got if not _plain([t])])
    return plain_got == plain_expected and others == len([t for t in expected if not _plain([t])])
