"""The pure core: INSZ, dossiers, periods, decisions and the rules. No I/O, no clock."""
