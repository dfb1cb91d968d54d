"""The rules of SPEC §4: each legal condition a named rule with its legal reference."""

from kbi_exchange.domain.rules.engine import evaluate
from kbi_exchange.domain.rules.regels import REGELS, Regel

__all__ = ["REGELS", "Regel", "evaluate"]
