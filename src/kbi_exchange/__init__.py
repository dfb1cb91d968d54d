"""kbi-exchange: the 2021 KBI → VSB data-sharing protocol, implemented."""

__version__ = "0.1.0"
