"""Entry points: command line, web API and pages. Thin: parse, call a service, present."""
