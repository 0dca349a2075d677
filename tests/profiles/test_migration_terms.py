"""Every older layout and its current layout agree on the terms of the columns they share:
a column both have (the same title) names the same Reference Model term in both, else
``cityref convert --to current`` drops it as a column with no counterpart (as happened when
two branches each declared their own IRI for 認可等年月日)."""

from __future__ import annotations

import pytest

from cityref.inputs.csv_header import normalise
from cityref.profiles import Profile
from cityref.profiles.migration import current_layout, older_layouts, profile_columns
from tests.conftest import REPO_MODEL


@pytest.mark.parametrize("older", older_layouts(REPO_MODEL), ids=lambda p: p.id)
def test_a_column_both_layouts_have_names_one_term(older: Profile) -> None:
    current = current_layout(older, REPO_MODEL)
    terms = {normalise(c.title): c.term for c in profile_columns(current)}
    differ = {
        c.title: (c.term, terms[normalise(c.title)])
        for c in profile_columns(older)
        if normalise(c.title) in terms and c.term != terms[normalise(c.title)]
    }
    assert not differ, f"{older.id} and {current.id} name different terms: {differ}"
