"""The data of the web pages, computed next to the store in the query worker.

A page asks for its data by kind; the worker runs every query of that page on its open store
and sends back plain dataclasses in one round trip.
"""

from __future__ import annotations

from collections.abc import Callable

from cityref.pages import (
    browse,
    browse_named,
    browse_registry,
    browse_standard,
    browse_term,
    module_page,
    report_sections,
    search_sources,
    shape_page,
)
from cityref.pages.browse import Select
from cityref.store.oxigraph import Store

PAGE_DATA: dict[str, Callable[..., object]] = {
    "landscape": browse.landscape,
    "funding": browse.funding,
    "layers": lambda select: browse.named_things(select, "Layer", "dcterms:description"),
    "principles": lambda select: browse.named_things(select, "Principle", "landscape:explanation"),
    "domain": browse.domain_page,
    "term": browse_term.term_page,
    "coverage-matrix": browse_registry.coverage_matrix,
    "standards": browse_registry.standards,
    "standard": browse_standard.standard_page,
    "standard-of": browse_standard.standard_of,
    "shape-titles": browse_registry.shape_titles,
    "named": browse_named.named_page,
    "search-index": search_sources.term_entries,
    "shape": shape_page.shape_page,
    "module": module_page.module_page,
    "shape-words": report_sections.shape_words,
}


def page_data(store: Store, base_iri: str, kind: str, *args: object) -> object:
    """``PAGE_DATA[kind](select, *args)`` with a select over ``store``, the model served
    under ``base_iri``."""
    select: Select = browse.store_select(store, base_iri)
    return PAGE_DATA[kind](select, *args)
