"""One bilingual text: Japanese and English kept apart, Japanese first.

Every text a person reads that cityref writes itself — error messages, validation messages,
words of the pages built in Python — is a :class:`Bilingual`. The order is Japanese, then
English, everywhere: the fields, :meth:`Bilingual.both` ("日本語 / English") and the API's
objects (``{"ja": …, "en": …}``). Whoever shows the text picks the language at the last
moment; nothing glues the two into one string before that.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

LANGUAGES = ("ja", "en")


def languages_asked(lang: str | None) -> tuple[str, ...]:
    """The languages an answer carries: the one asked for, else both, in the one order."""
    return (lang,) if lang in LANGUAGES else LANGUAGES


@dataclass(frozen=True)
class Bilingual:
    """A text in Japanese and English. Either may be empty (a model label known in one
    language only); :meth:`in_language` then falls back to the other."""

    ja: str = ""
    en: str = ""

    def in_language(self, lang: str) -> str:
        """The text in ``lang`` (``"ja"`` or ``"en"``), else in the other language."""
        first, second = (self.ja, self.en) if lang == "ja" else (self.en, self.ja)
        return first or second

    def both(self) -> str:
        """Both languages in the one order, ``日本語 / English`` (one when they are equal or
        one is empty): for the terminal and logs."""
        if not self.ja or not self.en or self.ja == self.en:
            return self.ja or self.en
        return f"{self.ja} / {self.en}"

    def __str__(self) -> str:
        return self.both()

    def format(self, **values: Any) -> Bilingual:
        """Both templates filled with ``values``; a :class:`Bilingual` value fills each
        language with its own text."""

        def fill(template: str, lang: str) -> str:
            own = {
                k: v.in_language(lang) if isinstance(v, Bilingual) else v for k, v in values.items()
            }
            return template.format(**own)

        return Bilingual(fill(self.ja, "ja"), fill(self.en, "en"))

    def prefixed(self, prefix: str) -> Bilingual:
        """The text with a language-neutral ``prefix`` such as ``"file.csv:3: "`` before it."""
        return Bilingual(prefix + self.ja, prefix + self.en)

    def by_language(self, lang: str | None = None) -> dict[str, str]:
        """``{"ja": …, "en": …}``, or the one key ``lang`` when a language is asked (the
        shape of every text in the API's answers)."""
        if lang in LANGUAGES:
            return {lang: self.in_language(lang)}
        return {"ja": self.ja, "en": self.en}

    @classmethod
    def from_dict(cls, values: dict[str, str]) -> Bilingual:
        """The inverse of :meth:`by_language` with both keys (a missing one is empty)."""
        return cls(values.get("ja", ""), values.get("en", ""))
