"""The one bilingual text type: Japanese first, both kept apart until shown."""

from __future__ import annotations

import pickle

from cityref.errors import CityrefError, QuerySyntaxError
from cityref.text import Bilingual
from cityref.validation.errors import InputError, SourceLocation
from tests.conftest import RunCli


def test_one_language_or_the_other_when_it_is_missing() -> None:
    text = Bilingual("見つかりません", "not found")
    assert (text.in_language("ja"), text.in_language("en")) == ("見つかりません", "not found")
    assert Bilingual("", "only English").in_language("ja") == "only English"
    assert Bilingual("日本語だけ", "").in_language("en") == "日本語だけ"


def test_both_in_the_one_order_japanese_first() -> None:
    assert Bilingual("見つかりません", "not found").both() == "見つかりません / not found"
    assert str(Bilingual("同じ", "同じ")) == "同じ"
    assert Bilingual("", "English").both() == "English"


def test_format_fills_each_language_with_its_own_value() -> None:
    template = Bilingual("{what}が {n} 個あります", "there are {n} {what}")
    filled = template.format(what=Bilingual("行", "rows"), n=3)
    assert filled == Bilingual("行が 3 個あります", "there are 3 rows")


def test_by_language_is_the_shape_of_the_api() -> None:
    text = Bilingual("ja text", "en text")
    assert text.by_language() == {"ja": "ja text", "en": "en text"}
    assert text.by_language(None) == {"ja": "ja text", "en": "en text"}
    assert text.by_language("en") == {"en": "en text"}
    assert text.by_language("fr") == {"ja": "ja text", "en": "en text"}
    assert Bilingual.from_dict(text.by_language()) == text


def test_errors_keep_both_languages_apart() -> None:
    error = CityrefError(Bilingual("壊れています", "it is broken"))
    assert error.text.ja == "壊れています" and error.text.en == "it is broken"
    assert str(error) == "壊れています / it is broken"  # the terminal shows both


def test_the_place_of_an_input_error_is_in_both_languages_and_survives_a_pipe() -> None:
    error = InputError(Bilingual("読めません", "unreadable"), SourceLocation("data.csv", 3, 2))
    assert error.text == Bilingual("data.csv:3:2: 読めません", "data.csv:3:2: unreadable")
    copy = pickle.loads(pickle.dumps(error))
    assert copy.text == error.text and copy.location == error.location


def test_a_query_syntax_error_says_where_in_each_language() -> None:
    error = QuerySyntaxError(Bilingual("閉じていません", "not closed"), 2, 7)
    assert error.text.en == "SPARQL syntax error: line 2, column 7: not closed"
    assert error.text.ja == "SPARQL の構文エラー: 2 行 7 列: 閉じていません"
    assert (error.line, error.column) == (2, 7)


def test_the_command_line_says_an_error_in_both_languages_japanese_first(
    run_cli: RunCli, cli_env: dict[str, str]
) -> None:
    cli_env["CITYREF_QUERY_TIMEOUT"] = "-1"
    result = run_cli("settings")
    assert result.exit_code == 2
    japanese, _, english = result.stderr.strip().partition(" / ")
    assert "CITYREF_QUERY_TIMEOUT='-1'" in japanese and "0 より大きい値" in japanese
    assert english == "CITYREF_QUERY_TIMEOUT='-1': must be greater than 0"


def test_a_query_error_on_the_command_line_keeps_its_place(run_cli: RunCli) -> None:
    result = run_cli("query", "--memory", "SELECT * WHERE {\n ?s ?p }")
    assert result.exit_code == 2
    assert "SPARQL の構文エラー: 2 行" in result.stderr
    assert "SPARQL syntax error: line 2" in result.stderr
    assert result.stderr.index("SPARQL の構文エラー") < result.stderr.index("SPARQL syntax error")
