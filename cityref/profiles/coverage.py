"""Profile coverage: for each constraint of each profile, does an invalid example trigger it?

A constraint is a (shape, component) pair of the profile's own shapes files: every node or
property shape and each constraint parameter it has. Parameters inside sh:or / sh:not lists
belong to the logical constraint that holds them.
"""

from __future__ import annotations

from dataclasses import dataclass

from pyoxigraph import NamedNode, RdfFormat, Store

from cityref.profiles.examples import examples, run_example
from cityref.profiles.registry import Profile
from cityref.store.sources import ModelFiles
from cityref.validation.compile import COMPONENTS
from cityref.validation.terms import decode

SH = "http://www.w3.org/ns/shacl#"
RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
# Constraint parameter -> component local name (as Result.component_name gives it), from the
# engine's constraint components; sh:property is left out, as its results are those of its
# property shapes, which are constraints of their own.
PARAMETERS = {SH + c.parameter: c.name for c in COMPONENTS if c.name != "Property"}


def constraint_parameters(model: ModelFiles) -> dict[str, str]:
    """Constraint parameter -> component: SHACL's, and cityref's own under shapes/common/."""
    return {
        **PARAMETERS,
        model.term_iri("shapes/common/lgCodeCheckDigit"): "LgCodeCheckDigit",
        model.term_iri("shapes/common/corporateNumberCheckDigit"): "CorporateNumberCheckDigit",
    }


@dataclass(frozen=True)
class Coverage:
    """Which constraints of a profile its invalid examples trigger."""

    profile: Profile
    constraints: frozenset[tuple[str, str]]
    triggered: frozenset[tuple[str, str]]

    @property
    def missing(self) -> list[tuple[str, str]]:
        """Constraints no invalid example triggers, sorted."""
        return sorted(self.constraints - self.triggered)

    @property
    def ratio(self) -> float:
        """Share of constraints triggered (1.0 when the profile has none)."""
        if not self.constraints:
            return 1.0
        return len(self.constraints & self.triggered) / len(self.constraints)


def constraints(profile: Profile) -> frozenset[tuple[str, str]]:
    """(shape IRI, component) for every constraint in the profile's own shapes files."""
    store = Store()
    for path in profile.shapes_files:
        store.load(profile.model.read(path), format=RdfFormat.TURTLE)
    parameters = constraint_parameters(profile.model)
    shapes: set[NamedNode] = set()
    for cls in ("NodeShape", "PropertyShape"):
        for q in store.quads_for_pattern(None, NamedNode(RDF_TYPE), NamedNode(SH + cls)):
            if isinstance(q.subject, NamedNode):
                shapes.add(q.subject)
    for q in store.quads_for_pattern(None, NamedNode(SH + "property"), None):
        if isinstance(q.object, NamedNode):
            shapes.add(q.object)
    found: set[tuple[str, str]] = set()
    for shape in shapes:
        for param, component in parameters.items():
            if any(True for _ in store.quads_for_pattern(shape, NamedNode(param), None)):
                found.add((shape.value, component))
    return frozenset(found)


def coverage(profile: Profile) -> Coverage:
    """Run the profile's invalid examples and match their results to its constraints."""
    triggered: set[tuple[str, str]] = set()
    for example in examples(profile):
        if example.valid:
            continue
        report, _ = run_example(example)
        for r in report.results:
            shape = decode(r.source_shape)
            if isinstance(shape, NamedNode):
                triggered.add((shape.value, r.component_name))
    return Coverage(profile, constraints(profile), frozenset(triggered))
