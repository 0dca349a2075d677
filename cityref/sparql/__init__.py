"""SPARQL for clients: every query read by a real parser and guard first, then run in a
confined worker process with time, memory and row limits; results in the W3C formats."""
