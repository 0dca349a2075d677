"""Data files shipped inside the package: the NGSI-LD core @context (v1.9.1, ETSI), read
locally so that no input can make cityref fetch a remote context."""
