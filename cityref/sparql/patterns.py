"""Graph patterns, triples, property paths and expressions, for the guard's reader.

Each rule consumes its tokens or refuses with line and column. Expressions return the depth
of the tree the engine would build, chains of binary operators included, since Oxigraph
walks that tree recursively.
"""

from __future__ import annotations

from cityref.sparql.lexer import decode_string
from cityref.sparql.reading import (
    AGGREGATES,
    FUNCTIONS,
    GEOSPARQL_FUNCTIONS,
    MAX_EXPRESSION_DEPTH,
    MAX_LIST_ITEMS,
    MAX_PATH_STEPS,
    MAX_PATTERN_OPERATORS,
    MAX_TRIPLE_PATTERNS,
    MAX_UNARY_CHAIN,
    PATTERN_KEYWORDS,
    XSD,
    XSD_CASTS,
    TokenReader,
)
from cityref.text import Bilingual

_COMPARISON = 2
# What the limits count, as the refusals name them.
_PATTERN_OPERATORS = Bilingual("UNION・OPTIONAL・MINUS の数", "UNION, OPTIONAL or MINUS")
_PATH_STEPS = Bilingual("プロパティパスの段数", "property path steps")
_PRECEDENCE = {"||": 0, "&&": 1, "+": 3, "-": 3, "*": 4, "/": 4}
_PRECEDENCE.update(dict.fromkeys(("=", "!=", "<", ">", "<=", ">="), _COMPARISON))


class PatternReader(TokenReader):
    """The rules below the query forms: WHERE clauses, solution modifiers and what they hold."""

    def where_clause(self) -> None:
        self.accept("WHERE")
        self.group()

    def select_clause(self) -> None:
        self.accept("DISTINCT", "REDUCED")
        if self.accept("*"):
            return
        items = 0
        while True:
            if self.peek().kind == "var":
                self.take()
            elif self.accept("("):
                self.expression_as_var()
            else:
                break
            items += 1
        if not items:
            raise self.unexpected(
                self.peek(),
                Bilingual("SELECT の後に '*'・変数・'('", "'*', a variable or '(' after SELECT"),
            )

    def expression_as_var(self) -> None:
        """``Expression AS Var )`` after its opening bracket (a projection or a BIND)."""
        self.nest()
        self.expression()
        self.expect("AS")
        self.var()
        self.expect(")")
        self.depth -= 1

    def solution_modifier(self) -> None:
        if self.accept("GROUP"):
            self.expect("BY")
            self.condition(grouping=True)
            while self.at_condition(grouping=True):
                self.condition(grouping=True)
        if self.accept("HAVING"):
            self.constraint()
            while self.at_condition(grouping=False) and self.peek().kind != "var":
                self.constraint()
        if self.accept("ORDER"):
            self.expect("BY")
            self.condition(grouping=False)
            while self.at_condition(grouping=False):
                self.condition(grouping=False)
        for _ in range(2):
            if self.accept("LIMIT", "OFFSET"):
                token = self.take()
                if token.kind != "number" or not token.text.isdigit():
                    raise self.unexpected(token, Bilingual("整数", "a whole number"))

    def at_condition(self, grouping: bool) -> bool:
        token = self.peek()
        if token.kind in ("var", "iri", "pname") or self.at("("):
            return True
        upper = token.text.upper() if token.kind == "word" else ""
        return (
            upper in FUNCTIONS
            or upper in ("EXISTS", "NOT")
            or (not grouping and upper in ("ASC", "DESC"))
        )

    def condition(self, grouping: bool) -> None:
        if not grouping and self.accept("ASC", "DESC"):
            self.bracketted()
        elif grouping and self.at("("):
            self.take()
            self.nest()
            self.expression()
            if self.accept("AS"):
                self.var()
            self.expect(")")
            self.depth -= 1
        elif self.peek().kind == "var":
            self.take()
        else:
            self.constraint()

    def values_clause(self) -> None:
        if self.accept("VALUES"):
            self.data_block()

    def data_block(self) -> None:
        if self.peek().kind == "var":
            self.take()
            self.expect("{")
            while not self.accept("}"):
                self.data_value()
            return
        self.expect("(")  # the engine checks that each row is as wide as the variables
        while self.peek().kind == "var":
            self.take()
        self.expect(")")
        self.expect("{")
        while not self.accept("}"):
            self.expect("(")
            while not self.accept(")"):
                self.data_value()

    def data_value(self) -> None:
        self.count("list_items", MAX_LIST_ITEMS, Bilingual("リストの値の数", "values in lists"))
        if self.accept("UNDEF"):
            return
        token = self.peek()
        if token.kind in ("iri", "pname"):
            self.iri()
        elif not self.literal():
            raise self.unexpected(
                token, Bilingual("値（IRI・リテラル・UNDEF）", "a value (IRI, literal or UNDEF)")
            )

    # -- graph patterns ------------------------------------------------------------------
    def group(self) -> None:
        self.expect("{")
        self.nest()
        if self.at("SELECT"):
            self.take()
            self.select_clause()
            self.where_clause()
            self.solution_modifier()
            self.values_clause()
            self.expect("}")
            self.depth -= 1
            return
        after_triples = False
        while not self.accept("}"):
            self.check_keyword()
            token = self.peek()
            if self.at("{", *PATTERN_KEYWORDS):
                self.pattern_not_triples()
                self.accept(".")
                after_triples = False
            elif after_triples:
                raise self.unexpected(
                    token, Bilingual("'.'・'}'・グラフパターン", "'.', '}' or a graph pattern")
                )
            else:
                self.triples(paths=True)
                after_triples = not self.accept(".")
        self.depth -= 1

    def pattern_not_triples(self) -> None:
        if self.at("{"):
            self.group()
            while self.accept("UNION"):
                self.count("pattern_operators", MAX_PATTERN_OPERATORS, _PATTERN_OPERATORS)
                self.group()
            return
        keyword = self.take().text.upper()
        if keyword in ("OPTIONAL", "MINUS"):
            self.count("pattern_operators", MAX_PATTERN_OPERATORS, _PATTERN_OPERATORS)
            self.group()
        elif keyword == "GRAPH":
            self.pattern_graph()
            self.group()
        elif keyword == "FILTER":
            self.constraint()
        elif keyword == "BIND":
            self.expect("(")
            self.expression_as_var()
        else:  # VALUES
            self.data_block()

    def triples(self, paths: bool) -> None:
        """A subject with its property list (or a ``[ … ]`` / ``( … )`` node on its own)."""
        if self.at("[", "("):
            self.node(paths)
            if self.at_verb(paths):
                self.property_list(paths)
            return
        self.node(paths)
        self.property_list(paths)

    def at_verb(self, paths: bool) -> bool:
        token = self.peek()
        if token.kind in ("var", "iri", "pname") or (token.text == "a" and token.kind == "word"):
            return True
        return paths and self.at("^", "!", "(")

    def property_list(self, paths: bool) -> None:
        self.verb(paths)
        self.object_list(paths)
        while self.accept(";"):
            if self.at_verb(paths):
                self.verb(paths)
                self.object_list(paths)

    def verb(self, paths: bool) -> None:
        token = self.peek()
        if token.kind == "var":
            self.take()
        elif paths:
            self.path()
        elif token.kind == "word" and token.text == "a":
            self.take()
        else:
            self.iri()

    def object_list(self, paths: bool) -> None:
        self.count_triples(1)
        self.node(paths)
        while self.accept(","):
            self.count_triples(1)
            self.node(paths)

    def count_triples(self, amount: int) -> None:
        if self.counting:
            self.count(
                "triple_patterns",
                MAX_TRIPLE_PATTERNS,
                Bilingual("トリプルパターンの数", "triple patterns"),
                amount,
            )

    def node(self, paths: bool) -> None:
        """A term, ``( collection )`` or ``[ property list ]``."""
        if self.accept("("):
            self.nest()
            while not self.accept(")"):
                self.count_triples(2)
                self.node(paths)
            self.depth -= 1
        elif self.accept("["):
            self.nest()
            if not self.accept("]"):
                self.property_list(paths)
                self.expect("]")
            self.depth -= 1
        else:
            self.term()

    def term(self) -> None:
        token = self.peek()
        if token.kind in ("var", "bnode"):
            self.take()
        elif token.kind in ("iri", "pname"):
            self.iri()
        elif not self.literal():
            self.check_keyword()
            raise self.unexpected(
                token,
                Bilingual(
                    "変数・IRI・リテラル・空白ノード", "a variable, IRI, literal or blank node"
                ),
            )

    def var(self) -> None:
        token = self.take()
        if token.kind != "var":
            raise self.unexpected(token, Bilingual("変数", "a variable"))

    def var_or_iri(self) -> None:
        if self.peek().kind == "var":
            self.take()
        else:
            self.iri()

    def literal(self) -> bool:
        """A string (with language or datatype), number or boolean, if one comes next."""
        token = self.peek()
        if token.kind == "string":
            self.take()
            decode_string(self.lexer, token)
            if self.peek().kind == "langtag":
                self.take()
            elif self.accept("^^"):
                self.iri()
            return True
        if token.kind == "number" or (token.kind == "word" and token.text in ("true", "false")):
            self.take()
            return True
        if self.at("+", "-"):
            after = self.lexer.token_at(token.end)
            if after.kind == "number":
                self.take()
                self.take()
                return True
        return False

    # -- property paths ------------------------------------------------------------------
    def path(self) -> None:
        self.path_sequence()
        while self.accept("|"):
            self.count("path_steps", MAX_PATH_STEPS, _PATH_STEPS)
            self.path_sequence()

    def path_sequence(self) -> None:
        self.path_element()
        while self.accept("/"):
            self.count("path_steps", MAX_PATH_STEPS, _PATH_STEPS)
            self.path_element()

    def path_element(self) -> None:
        self.accept("^")
        if self.accept("("):
            self.nest()
            self.path()
            self.expect(")")
            self.depth -= 1
        elif self.accept("!"):
            if self.accept("("):
                if not self.accept(")"):
                    self.path_one()
                    while self.accept("|"):
                        self.count("path_steps", MAX_PATH_STEPS, _PATH_STEPS)
                        self.path_one()
                    self.expect(")")
            else:
                self.path_one()
        else:
            self.path_one(inverse=False)
        if self.peek().kind == "punct" and self.peek().text in ("*", "+", "?"):
            self.take()

    def path_one(self, inverse: bool = True) -> None:
        if inverse:
            self.accept("^")
        token = self.peek()
        if token.kind == "word" and token.text == "a":
            self.take()
        else:
            self.iri()

    # -- expressions ---------------------------------------------------------------------
    def constraint(self) -> int:
        """FILTER's argument, HAVING's and ORDER BY's: a bracketted expression or a call."""
        if self.at("("):
            return self.bracketted()
        token = self.peek()
        if token.kind not in ("word", "iri", "pname") or token.text in ("true", "false"):
            raise self.unexpected(token, Bilingual("'(' か関数呼び出し", "'(' or a function call"))
        if token.kind != "word":
            return self.function_call()
        return self.primary()

    def bracketted(self) -> int:
        self.expect("(")
        self.nest()
        depth = self.expression()
        self.expect(")")
        self.depth -= 1
        return depth

    def expression(self) -> int:
        """An expression; returns the depth of its tree, which the engine walks recursively."""
        return self.binary(0)

    def binary(self, minimum: int) -> int:
        """Operators of ``minimum`` precedence or tighter, by precedence climbing (one call
        per operator, not one per grammar level); comparisons do not chain."""
        depth = self.unary()
        compared = False
        while True:
            token = self.peek(operator=True)
            if token.kind == "punct":
                level = _PRECEDENCE.get(token.text)
            else:
                level = _COMPARISON if token.is_word("IN", "NOT") else None
            if level is None or level < minimum or (level == _COMPARISON and compared):
                return depth
            self.take(operator=True)
            if token.kind == "word":  # [NOT] IN ( … )
                if token.text.upper() == "NOT":
                    self.expect("IN")
                depth = max(depth, self.argument_list(allow_distinct=False)) + 1
            else:
                depth = max(depth, self.binary(level + 1)) + 1
            compared = compared or level == _COMPARISON
            if depth > MAX_EXPRESSION_DEPTH:
                raise self.refuse(
                    token,
                    Bilingual(
                        f"式の演算子の入れ子が {MAX_EXPRESSION_DEPTH} を超えています",
                        f"the expression is deeper than {MAX_EXPRESSION_DEPTH} operators",
                    ),
                )

    def unary(self) -> int:
        signs = 0
        while self.at("!", "+", "-"):
            token = self.peek()
            if token.text != "!" and self.lexer.token_at(token.end).kind == "number":
                break  # a signed number
            self.take()
            signs += 1
            if signs > MAX_UNARY_CHAIN:
                raise self.refuse(
                    token,
                    Bilingual(
                        f"前置演算子が {MAX_UNARY_CHAIN} 個を超えて続いています",
                        f"more than {MAX_UNARY_CHAIN} prefix operators in a row",
                    ),
                )
        return self.primary() + signs

    def primary(self) -> int:
        token = self.peek()
        if self.at("("):
            return self.bracketted() + 1
        if token.kind == "var":
            self.take()
            return 1
        if token.kind in ("iri", "pname"):
            if self.lexer.token_at(token.end).text == "(":
                return self.function_call()
            self.iri()
            return 1
        if self.literal():
            return 1
        if token.kind != "word":
            raise self.unexpected(token, Bilingual("式", "an expression"))
        self.check_keyword()
        name = token.text.upper()
        self.take()
        if name == "NOT":
            self.expect("EXISTS")
            name = "EXISTS"
        if name == "EXISTS":
            self.group()
            return 1
        if name in AGGREGATES:
            return self.aggregate(name) + 1
        if name not in FUNCTIONS:
            raise self.syntax(
                token,
                Bilingual(
                    f"不明な関数またはキーワード '{token.text}'",
                    f"unknown function or keyword '{token.text}'",
                ),
            )
        return self.argument_list(allow_distinct=False) + 1

    def function_call(self) -> int:
        """``<iri>(…)``: only the functions the engine has, so that an unknown one is the
        asker's mistake (a syntax error), not a failure of the engine."""
        token = self.peek()
        self.iri()
        function = self.resolve(token)
        known = function.startswith(GEOSPARQL_FUNCTIONS) or (
            function.startswith(XSD) and function[len(XSD) :] in XSD_CASTS
        )
        if not known:
            raise self.syntax(
                token,
                Bilingual(
                    f"関数 <{function}> はありません（エンジンにない関数です）",
                    f"unknown function <{function}>: the engine has no such function",
                ),
            )
        return self.argument_list(allow_distinct=True) + 1

    def aggregate(self, name: str) -> int:
        self.expect("(")
        self.nest()
        self.accept("DISTINCT")
        depth = 0
        if not (name == "COUNT" and self.accept("*")):
            depth = self.expression()
        if name == "GROUP_CONCAT" and self.accept(";"):
            self.expect("SEPARATOR")
            self.expect("=")
            if self.take().kind != "string":
                raise self.unexpected(self.peek(), Bilingual("文字列", "a string"))
        self.expect(")")
        self.depth -= 1
        return depth

    def argument_list(self, allow_distinct: bool) -> int:
        self.expect("(")
        self.nest()
        depth = 0
        if not self.accept(")"):
            if allow_distinct:
                self.accept("DISTINCT")
            depth = self.expression()
            while self.accept(","):
                self.count(
                    "list_items", MAX_LIST_ITEMS, Bilingual("リストの値の数", "values in lists")
                )
                depth = max(depth, self.expression())
            self.expect(")")
        self.depth -= 1
        return depth
