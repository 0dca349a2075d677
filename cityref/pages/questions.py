"""The architects' questions: the example queries of the query page, grouped by subject.

Each question is a ``NN-name.rq`` file of the model's sources (``tests/queries/``, shipped in
the wheel under ``cityref/_sources``) that opens with its header lines: ``# ja: …``,
``# en: …`` (the question) and ``# group: …`` (a key of :data:`QUESTION_GROUPS`). They are read
through :class:`ModelFiles`, so a rebased model gets its queries rebased too.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from cityref.store.sources import ModelFiles
from cityref.text import Bilingual

#: The subjects the questions are grouped under, in the order the page lists them.
QUESTION_GROUPS: dict[str, Bilingual] = {
    "landscape": Bilingual("全体像と領域", "The landscape and its domains"),
    "agencies": Bilingual("府省・法令・予算", "Agencies, laws and funding"),
    "data": Bilingual("データの種類と連携", "Kinds of data and their linkage"),
    "architecture": Bilingual("都市OSとアーキテクチャ", "The city OS and the architecture"),
    "vocabulary": Bilingual("領域の語彙", "The domains' vocabularies"),
}
#: Where a question without a known ``# group:`` goes (a sources tree of one's own).
OTHER_GROUP = "other"
OTHER_GROUP_TITLE = Bilingual("その他の質問", "Other questions")

_FILE_NAME = re.compile(r"^(?P<number>\d+)-[\w-]+$")
_HEADER = re.compile(r"^#\s*(?P<key>ja|en|group):\s*(?P<value>.*?)\s*$")


@dataclass(frozen=True)
class Question:
    """One example query: its number (``"05"``, as in ``?example=05``), its question in both
    languages, its group key and its SPARQL text."""

    number: str
    name: str
    title: Bilingual
    group: str
    query: str


@dataclass(frozen=True)
class QuestionGroup:
    key: str
    title: Bilingual
    questions: tuple[Question, ...]


def read_question(number: str, name: str, text: str) -> Question:
    """A question from the text of its ``.rq`` file (header lines first)."""
    header: dict[str, str] = {}
    lines = text.splitlines(keepends=True)
    for line in lines:
        if not line.startswith("#"):
            break
        found = _HEADER.match(line)
        if found:
            header[found["key"]] = found["value"]
    group = header.get("group", "")
    # The group line is for the page; the editor shows the question and its SPARQL.
    shown = "".join(line for line in lines if not line.startswith("# group:"))
    return Question(
        number=number,
        name=name,
        title=Bilingual(header.get("ja", ""), header.get("en", "")),
        group=group if group in QUESTION_GROUPS else OTHER_GROUP,
        query=shown,
    )


def questions(model: ModelFiles) -> list[Question]:
    """The questions of the model's sources in file order; none when the tree has none."""
    folder = model.questions_dir
    if not folder.is_dir():
        return []
    found = []
    for path in sorted(folder.glob("*.rq")):
        named = _FILE_NAME.match(path.stem)
        if named is None:
            continue  # not one of the numbered questions
        text = model.read(path).decode("utf-8")
        found.append(read_question(named["number"], path.stem, text))
    return found


def grouped(found: list[Question]) -> list[QuestionGroup]:
    """The questions by group, groups in :data:`QUESTION_GROUPS` order (then the others);
    empty groups left out."""
    titles = {**QUESTION_GROUPS, OTHER_GROUP: OTHER_GROUP_TITLE}
    groups = [
        QuestionGroup(key, title, tuple(q for q in found if q.group == key))
        for key, title in titles.items()
    ]
    return [group for group in groups if group.questions]
