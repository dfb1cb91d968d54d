"""`python -m kbi_exchange` is the `kbi` command line."""

from kbi_exchange.entrypoints.cli import main

if __name__ == "__main__":  # not when a spawned helper process imports this module
    main()
