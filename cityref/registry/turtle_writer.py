"""A stable Turtle writer that changes as few lines as it can.

A Turtle source is read as a sequence of *blocks*: runs of non-blank lines separated by blank
lines (a run that does not parse on its own is joined with the next until it does). Applying a
patch rewrites only the blocks holding a subject that gains or loses a statement; every other
block, comment and blank line is kept byte for byte. A rewritten block is serialised in one
fixed way — subject on its own line, ``a`` first, then predicates and objects sorted, blank
nodes inline as ``[ … ]`` or ``( … )`` — so the same graph always gives the same text.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from pyoxigraph import BlankNode, Literal, NamedNode, RdfFormat, Triple, parse

from cityref.registry.durable import RegistryError
from cityref.registry.line_edit import edit_lines
from cityref.text import Bilingual

RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
XSD = "http://www.w3.org/2001/XMLSchema#"
RDF_TYPE = NamedNode(RDF + "type")
RDF_FIRST = NamedNode(RDF + "first")
RDF_REST = NamedNode(RDF + "rest")
RDF_NIL = NamedNode(RDF + "nil")

Subject = NamedNode | BlankNode
Object = NamedNode | BlankNode | Literal

_PREFIX_LINE = re.compile(r"^\s*(@prefix|@base|PREFIX|BASE)\b", re.IGNORECASE)
_PREFIX_DECL = re.compile(r"^\s*(?:@prefix|PREFIX)\s+([\w.-]*):\s*<([^>]*)>", re.IGNORECASE)
_LOCAL = re.compile(r"^[\w][\w-]*$")
_INTEGER = re.compile(r"^[+-]?\d+$")
_DECIMAL = re.compile(r"^[+-]?\d*\.\d+$")


def _escape(text: str) -> str:
    return (
        text.replace("\\", "\\\\")
        .replace('"', '\\"')
        .replace("\n", "\\n")
        .replace("\r", "\\r")
        .replace("\t", "\\t")
    )


@dataclass
class TermWriter:
    """Renders terms with the file's prefixes."""

    prefixes: dict[str, str] = field(default_factory=dict)

    def iri(self, node: NamedNode) -> str:
        best = ""
        best_ns = ""
        for name, ns in self.prefixes.items():
            if node.value.startswith(ns) and len(ns) > len(best_ns):
                local = node.value[len(ns) :]
                if local == "" or _LOCAL.match(local):
                    best, best_ns = name, ns
        if best_ns:
            return f"{best}:{node.value[len(best_ns) :]}"
        return f"<{node.value}>"

    def literal(self, lit: Literal) -> str:
        if lit.language:
            return f'"{_escape(lit.value)}"@{lit.language}'
        dt = lit.datatype.value
        if dt == XSD + "string":
            return f'"{_escape(lit.value)}"'
        if dt == XSD + "integer" and _INTEGER.match(lit.value):
            return lit.value
        if dt == XSD + "decimal" and _DECIMAL.match(lit.value):
            return lit.value
        if dt == XSD + "boolean" and lit.value in ("true", "false"):
            return lit.value
        return f'"{_escape(lit.value)}"^^{self.iri(lit.datatype)}'


class _Graph:
    """The triples of one block, indexed for writing."""

    def __init__(self, triples: Iterable[Triple]) -> None:
        self.by_subject: dict[Subject, list[Triple]] = defaultdict(list)
        self.object_uses: dict[BlankNode, int] = defaultdict(int)
        for t in triples:
            self.by_subject[t.subject].append(t)  # type: ignore[index]
            if isinstance(t.object, BlankNode):
                self.object_uses[t.object] += 1


@dataclass
class BlockWriter:
    """Serialises a set of triples as Turtle statements in the fixed layout."""

    terms: TermWriter

    def statements(self, triples: Sequence[Triple], order: Sequence[Subject] = ()) -> str:
        graph = _Graph(triples)
        subjects: list[Subject] = []
        for s in [*order, *graph.by_subject]:
            if s not in subjects and s in graph.by_subject:
                subjects.append(s)
        out: list[str] = []
        for s in subjects:
            if isinstance(s, BlankNode) and graph.object_uses.get(s, 0) == 1:
                continue  # written inline where it is used
            head = self.terms.iri(s) if isinstance(s, NamedNode) else f"_:{s.value}"
            out.append(head + "\n" + self._predicates(graph, s, 1, set()) + " .\n")
        return "\n".join(out)

    def _object(self, graph: _Graph, o: Object, depth: int, seen: set[BlankNode]) -> str:
        if isinstance(o, NamedNode):
            return self.terms.iri(o)
        if isinstance(o, Literal):
            return self.terms.literal(o)
        if graph.object_uses.get(o, 0) != 1 or o in seen:
            return f"_:{o.value}"
        items = self._list(graph, o)
        inner = seen | {o}
        if items is not None:
            rendered = [self._object(graph, i, depth + 1, inner) for i in items]
            return "( " + " ".join(rendered) + " )"
        if not graph.by_subject.get(o):
            return "[]"
        body = self._predicates(graph, o, depth + 1, inner)
        return "[\n" + body + "\n" + "    " * depth + "]"

    def _list(self, graph: _Graph, node: BlankNode) -> list[Object] | None:
        """The members of a well-formed RDF list starting at ``node``, else None."""
        items: list[Object] = []
        current: Object = node
        visited: set[BlankNode] = set()
        while current != RDF_NIL:
            if not isinstance(current, BlankNode) or current in visited:
                return None
            visited.add(current)
            triples = graph.by_subject.get(current, [])
            firsts = [t.object for t in triples if t.predicate == RDF_FIRST]
            rests = [t.object for t in triples if t.predicate == RDF_REST]
            if len(triples) != 2 or len(firsts) != 1 or len(rests) != 1:
                return None
            if current is not node and graph.object_uses.get(current, 0) != 1:
                return None
            items.append(firsts[0])  # type: ignore[arg-type]
            current = rests[0]  # type: ignore[assignment]
        return items

    def _predicates(self, graph: _Graph, s: Subject, depth: int, seen: set[BlankNode]) -> str:
        groups: dict[NamedNode, list[str]] = defaultdict(list)
        for t in graph.by_subject.get(s, []):
            groups[t.predicate].append(
                self._object(graph, t.object, depth + 1, seen)  # type: ignore[arg-type]
            )

        def key(p: NamedNode) -> tuple[int, str]:
            return (0, "") if p == RDF_TYPE else (1, self.terms.iri(p))

        indent = "    " * depth
        lines: list[str] = []
        for p in sorted(groups, key=key):
            name = "a" if p == RDF_TYPE else self.terms.iri(p)
            objects = sorted(set(groups[p]))
            joint = " ,\n" + indent + " " * (len(name) + 1)
            lines.append(indent + name + " " + joint.join(objects))
        return " ;\n".join(lines)


@dataclass
class Block:
    """A run of lines of a Turtle file, its statements and whether it must be rewritten."""

    text: str
    triples: list[Triple]
    order: list[Subject]
    dirty: bool = False
    added: list[Triple] = field(default_factory=list)
    removed: list[Triple] = field(default_factory=list)

    @property
    def named_subjects(self) -> set[NamedNode]:
        return {t.subject for t in self.triples if isinstance(t.subject, NamedNode)}


class TurtleFile:
    """A Turtle document as blocks that can be patched with a minimal text change."""

    def __init__(self, text: str, name: str) -> None:
        self.name = name
        self.header = "".join(line for line in text.splitlines(True) if _PREFIX_LINE.match(line))
        self.terms = TermWriter(
            {m.group(1): m.group(2) for m in map(_PREFIX_DECL.match, self.header.splitlines()) if m}
        )
        self.parts: list[Block | str] = []
        self._split(text)

    def _parse(self, chunk: str) -> list[Triple]:
        data = (self.header + "\n" + chunk).encode("utf-8")
        return [q.triple for q in parse(data, RdfFormat.TURTLE)]

    def _split(self, text: str) -> None:
        lines = text.splitlines(True)
        runs: list[tuple[bool, str]] = []
        for line in lines:
            blank = not line.strip()
            if runs and runs[-1][0] == blank:
                runs[-1] = (blank, runs[-1][1] + line)
            else:
                runs.append((blank, line))
        pending = ""
        for blank, chunk in runs:
            if blank and not pending:
                self.parts.append(chunk)
                continue
            pending += chunk
            if blank:
                continue
            try:
                triples = self._parse(pending)
            except SyntaxError:
                continue
            order: list[Subject] = []
            for t in triples:
                if t.subject not in order:
                    order.append(t.subject)  # type: ignore[arg-type]
            self.parts.append(Block(pending, triples, order))
            pending = ""
        if pending:
            try:
                self._parse(pending)
            except SyntaxError as exc:
                raise RegistryError(
                    Bilingual(
                        f"{self.name}: Turtle として読めません（{exc}）",
                        f"{self.name}: does not parse as Turtle: {exc}",
                    )
                ) from exc

    @property
    def blocks(self) -> list[Block]:
        return [p for p in self.parts if isinstance(p, Block)]

    def triples(self) -> list[Triple]:
        return [t for b in self.blocks for t in b.triples]

    def subjects(self) -> set[NamedNode]:
        return {s for b in self.blocks for s in b.named_subjects}

    def delete(self, triple: Triple) -> bool:
        """Remove a statement (a blank-node object matches any blank node, with its
        description); False when the file does not hold it."""
        if isinstance(triple.subject, BlankNode):
            raise RegistryError(
                Bilingual(
                    f"{self.name}: 空白ノードを主語とする削除はできません",
                    f"{self.name}: a deletion cannot have a"
                    " blank-node subject; delete the statement "
                    "that links it",
                )
            )
        wildcard = isinstance(triple.object, BlankNode)
        for block in self.blocks:
            hits = [
                t
                for t in block.triples
                if t.subject == triple.subject
                and t.predicate == triple.predicate
                and (t.object == triple.object or (wildcard and isinstance(t.object, BlankNode)))
            ]
            if hits:
                drop = set(hits)
                for t in hits:
                    if isinstance(t.object, BlankNode):
                        drop |= _closure(block.triples, t.object)
                block.triples = [t for t in block.triples if t not in drop]
                block.removed += sorted(drop, key=str)
                block.dirty = True
                return True
        return False

    def add(self, triples: Sequence[Triple]) -> None:
        """Add statements about one named subject (with their blank-node descriptions)."""
        named = [t for t in triples if isinstance(t.subject, NamedNode)]
        if not named:
            return
        subject = named[0].subject
        present = {t for b in self.blocks for t in b.triples}
        fresh = [t for t in triples if t not in present or isinstance(t.subject, BlankNode)]
        if not [t for t in fresh if isinstance(t.subject, NamedNode)]:
            return
        for block in self.blocks:
            if subject in block.named_subjects:
                block.triples = block.triples + fresh
                block.added += fresh
                block.dirty = True
                return
        if self.parts and not (isinstance(self.parts[-1], str)):
            last = self.parts[-1]
            if isinstance(last, Block) and not last.text.endswith("\n"):
                last.text += "\n"
            self.parts.append("\n")
        self.parts.append(Block("", list(fresh), [subject], dirty=True))  # type: ignore[list-item]

    def _render_statement(self, triple: Triple) -> str:
        predicate = "a" if triple.predicate == RDF_TYPE else self.terms.iri(triple.predicate)
        o = triple.object
        obj = self.terms.literal(o) if isinstance(o, Literal) else self.terms.iri(o)  # type: ignore[arg-type]
        return f"{predicate} {obj}"

    def _edit(self, block: Block) -> str | None:
        """The block with only the changed lines edited, when its layout allows."""
        if not block.text or not block.triples or (not block.added and not block.removed):
            return None
        return edit_lines(
            block.text,
            self.header,
            self._render_statement,
            block.added,
            block.removed,
            block.triples,
        )

    def text(self) -> str:
        writer = BlockWriter(self.terms)
        out: list[str] = []
        parts = list(self.parts)
        for i, part in enumerate(parts):
            if isinstance(part, str):
                out.append(part)
                continue
            if not part.dirty:
                out.append(part.text)
                continue
            edited = self._edit(part)
            if edited is not None:
                out.append(edited)
                continue
            kept = "".join(_leading_comments(part.text))
            if not part.triples:
                # Drop the emptied block (but not its prefixes) and the blank lines after it.
                if not kept and i + 1 < len(parts) and isinstance(parts[i + 1], str):
                    parts[i + 1] = ""
                out.append(kept)
                continue
            out.append(kept + writer.statements(part.triples, part.order))
        return "".join(out)


def _leading_comments(text: str) -> list[str]:
    found: list[str] = []
    for line in text.splitlines(True):
        if not (line.lstrip().startswith("#") or _PREFIX_LINE.match(line)):
            break
        found.append(line)
    return found


def _closure(triples: Sequence[Triple], node: BlankNode) -> set[Triple]:
    """The statements describing a blank node, recursively."""
    out: set[Triple] = set()
    todo = [node]
    done: set[BlankNode] = set()
    while todo:
        current = todo.pop()
        if current in done:
            continue
        done.add(current)
        for t in triples:
            if t.subject == current:
                out.add(t)
                if isinstance(t.object, BlankNode):
                    todo.append(t.object)
    return out


def group_by_subject(triples: Sequence[Triple]) -> dict[NamedNode, list[Triple]]:
    """Each named subject with its statements and the blank-node descriptions they use."""
    out: dict[NamedNode, list[Triple]] = {}
    for t in triples:
        if isinstance(t.subject, NamedNode):
            out.setdefault(t.subject, []).append(t)
    for subject, own in out.items():
        extra: set[Triple] = set()
        for t in own:
            if isinstance(t.object, BlankNode):
                extra |= _closure(triples, t.object)
        own.extend(sorted(extra, key=str))
        out[subject] = own
    return out


def write_document(triples: Sequence[Triple], prefixes: dict[str, str], comment: str = "") -> str:
    """A whole Turtle document: comment, prefixes, then one block per named subject (sorted)."""
    terms = TermWriter(dict(prefixes))
    writer = BlockWriter(terms)
    lines = [f"# {line}".rstrip() + "\n" for line in comment.splitlines()] if comment else []
    if lines:
        lines.append("\n")
    width = max((len(n) for n in prefixes), default=0) + 2
    for name, ns in sorted(prefixes.items()):
        lines.append(f"@prefix {(name + ':').ljust(width)}<{ns}> .\n")
    groups = group_by_subject(triples)
    for subject in sorted(groups, key=lambda s: s.value):
        lines.append("\n")
        lines.append(writer.statements(groups[subject], [subject]))
    return "".join(lines)


def patch_text(
    text: str, name: str, additions: Sequence[Triple], deletions: Sequence[Triple]
) -> str:
    """``text`` with ``deletions`` removed and ``additions`` added, minimal lines changed.

    A deletion the file does not hold is an error (the patch was made against other text).
    """
    doc = TurtleFile(text, name)
    for triple in deletions:
        if not doc.delete(triple):
            raise RegistryError(
                Bilingual(
                    f"{name}: 削除する文がファイルにありません",
                    f"{name}: the statement to delete is not there: {triple}",
                )
            )
    for group in group_by_subject(additions).values():
        doc.add(group)
    return doc.text()
