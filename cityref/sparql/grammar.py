"""A recursive-descent reader of the SPARQL 1.1 query and update grammar, for the guard.

It places every token of the query (terminals from :mod:`cityref.sparql.lexer`), so a keyword
is a keyword only where the grammar puts one. It builds no algebra: it records the dataset
clauses, refuses SERVICE and LOAD wherever they stand, and counts what would exhaust the
engine (nesting, operator chains, pattern and path sizes; :mod:`cityref.sparql.reading`).
Whatever it cannot place is refused with line and column; it is stricter than Oxigraph on
exotic input (no SPARQL 1.2 triple terms, reifiers, annotations, VERSION or LATERAL).
"""

from __future__ import annotations

from cityref.sparql.patterns import PatternReader
from cityref.sparql.reading import REFUSED_KEYWORDS
from cityref.text import Bilingual


class Reader(PatternReader):
    """Reads one query (:meth:`query_unit`) or update (:meth:`update_unit`)."""

    # -- prologue and units --------------------------------------------------------------
    def prologue(self) -> None:
        while True:
            if self.accept("BASE"):
                token = self.peek()
                if token.kind != "iri":
                    raise self.unexpected(token, Bilingual("BASE の後に IRI", "an IRI after BASE"))
                self.base = self.resolve(self.take())
            elif self.accept("PREFIX"):
                name = self.take()
                if name.kind != "pname" or not name.text.endswith(":") or name.text.count(":") > 1:
                    raise self.unexpected(
                        name, Bilingual("'ex:' のような接頭辞名", "a prefix name such as 'ex:'")
                    )
                prefix = name.text[:-1]
                if prefix.upper().startswith(tuple(REFUSED_KEYWORDS)):
                    raise self.refuse(
                        name,
                        Bilingual(
                            f"接頭辞名 '{prefix}:' はキーワードとして読まれます",
                            f"the prefix name '{prefix}:' reads as a keyword",
                        ),
                    )
                token = self.peek()
                if token.kind != "iri":
                    raise self.unexpected(
                        token, Bilingual("接頭辞名の後に IRI", "an IRI after the prefix name")
                    )
                self.prefixes[prefix] = self.resolve(self.take())
            else:
                return

    def query_unit(self) -> None:
        self.prologue()
        self.check_keyword()
        if self.accept("SELECT"):
            self.select_clause()
            self.dataset_clauses()
            self.where_clause()
            self.solution_modifier()
        elif self.accept("CONSTRUCT"):
            if self.at("{"):
                self.quad_block()
                self.dataset_clauses()
                self.where_clause()
            else:  # CONSTRUCT WHERE: the template is the pattern
                self.dataset_clauses()
                self.expect("WHERE")
                self.quad_block(pattern=True)
            self.solution_modifier()
        elif self.accept("DESCRIBE"):
            if not self.accept("*"):
                self.var_or_iri()
                while self.peek().kind in ("var", "iri", "pname"):
                    self.var_or_iri()
            self.dataset_clauses()
            if self.at("WHERE", "{"):
                self.where_clause()
            self.solution_modifier()
        elif self.accept("ASK"):
            self.dataset_clauses()
            self.where_clause()
            self.solution_modifier()
        else:
            raise self.unexpected(
                self.peek(),
                Bilingual(
                    "SELECT・CONSTRUCT・DESCRIBE・ASK のいずれか",
                    "SELECT, CONSTRUCT, DESCRIBE or ASK",
                ),
            )
        self.values_clause()
        self.end()

    def end(self) -> None:
        token = self.peek()
        if token.kind != "end":
            self.check_keyword()
            raise self.unexpected(token, Bilingual("クエリの終わり", "the end of the query"))

    def dataset_clauses(self) -> None:
        while self.accept("FROM"):
            named = self.accept("NAMED")
            target = self.found.from_named_graphs if named else self.found.from_graphs
            target.append(self.graph_iri())

    # -- updates ---------------------------------------------------------------------------
    def update_unit(self) -> None:
        while True:
            self.prologue()
            if self.peek().kind == "end":
                return
            self.update_operation()
            if not self.accept(";"):
                self.end()
                return

    def update_operation(self) -> None:
        self.check_keyword()
        token = self.take()
        keyword = token.text.upper() if token.kind == "word" else ""
        if keyword in ("CLEAR", "DROP"):
            self.accept("SILENT")
            target = self.peek()
            if self.accept("DEFAULT", "NAMED", "ALL"):
                kind = "default" if target.key == "DEFAULT" else "all"
                self.found.default_graph.append((kind, target.start, target.end))
            else:
                self.expect("GRAPH")
                self.found.update_graphs.append(self.graph_iri())
        elif keyword == "CREATE":
            self.accept("SILENT")
            self.expect("GRAPH")
            self.found.update_graphs.append(self.graph_iri())
        elif keyword in ("ADD", "MOVE", "COPY"):
            self.accept("SILENT")
            self.graph_or_default()
            self.expect("TO")
            self.graph_or_default()
        elif keyword == "DELETE" and self.accept("WHERE"):
            self.quad_block(pattern=True, update=True, writes=True)
        elif keyword in ("INSERT", "DELETE") and self.accept("DATA"):
            self.quad_block(update=True, writes=True)
        elif keyword in ("WITH", "INSERT", "DELETE"):
            named_dataset = keyword == "WITH"
            with_graph = None
            if keyword == "WITH":
                with_graph = self.graph_iri()  # the graph written to: it may be a new one
                self.found.update_graphs.append(with_graph)
                keyword = self.take().text.upper()
                if keyword not in ("INSERT", "DELETE"):
                    raise self.unexpected(
                        self.peek(),
                        Bilingual("WITH の後に INSERT か DELETE", "INSERT or DELETE after WITH"),
                    )
            self.quad_block(update=not named_dataset, writes=True)
            if keyword == "DELETE" and self.accept("INSERT"):
                self.quad_block(update=not named_dataset, writes=True)
            used = False
            while self.accept("USING"):
                named_dataset = used = True
                self.accept("NAMED")
                self.found.using_graphs.append(self.graph_iri())
            where = self.peek().start
            if not named_dataset:
                self.found.default_graph.append(("where", where, where))
            elif with_graph is not None and not used:
                self.found.with_wheres.append((with_graph[0], where))
            self.expect("WHERE")
            self.group()
        else:
            raise self.unexpected(token, Bilingual("更新の操作", "an update operation"))

    def graph_or_default(self) -> None:
        target = self.peek()
        if self.accept("DEFAULT"):
            self.found.default_graph.append(("default", target.start, target.end))
        else:
            self.accept("GRAPH")
            self.found.update_graphs.append(self.graph_iri())

    def quad_block(self, pattern: bool = False, update: bool = False, writes: bool = False) -> None:
        """``{ triples (GRAPH g { triples })* }`` as in templates and INSERT / DELETE DATA.
        Only a ``pattern`` (DELETE WHERE, CONSTRUCT WHERE) is matched, so only its triples
        count towards the limit: data and templates are not joined. In an ``update`` (not
        under WITH), where triples outside GRAPH are is noted (they write the default
        graph). A block that ``writes`` (any block of an update) notes the graphs it names."""
        self.counting = pattern
        self.expect("{")
        self.nest()
        while not self.accept("}"):
            if self.accept("GRAPH"):
                self.block_graph(pattern, writes)
                self.expect("{")
                self.triples_template()
                self.accept(".")
            else:
                start = self.peek().start
                self.triples(paths=False)
                dotted = self.accept(".")
                if update:  # the '.' goes inside too: Virtuoso refuses one after GRAPH {}
                    self.found.default_graph.append(("triples", start, self.offset))
                if not dotted and not self.at("GRAPH"):
                    self.expect("}")
                    break
        self.depth -= 1
        self.counting = True

    def block_graph(self, pattern: bool, writes: bool) -> None:
        """The graph after GRAPH in a quad block: a pattern's is noted as the graphs a query
        matches are; one an update writes, as the update's."""
        token = self.peek()
        if pattern:
            self.pattern_graph()
        else:
            self.var_or_iri()
        if writes and token.kind != "var":
            self.found.update_graphs.append((self.resolve(token), token))

    def triples_template(self) -> None:
        while not self.accept("}"):
            self.triples(paths=False)
            if not self.accept("."):
                self.expect("}")
                return
