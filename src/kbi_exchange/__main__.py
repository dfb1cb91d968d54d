"""`python -m kbi_exchange` is the `kbi` command line."""

from kbi_exchange.entrypoints.cli import main

main()
