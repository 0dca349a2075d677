"""The store and its build: the Reference Model's sources read into Oxigraph with their
OWL-RL entailments, swapped in whole; SPARQL Update on the built store."""
