"""The MAGDA-style SOAP service GeefAdviesInburgeringsplicht 01.00.0000 (SPEC §7)."""
