"""The AII node's web service: REST advice (SPEC §7), health, OpenAPI."""
