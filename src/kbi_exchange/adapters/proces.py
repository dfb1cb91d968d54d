"""Helper processes bound to the process that started them."""

from __future__ import annotations

import ctypes
import os
import signal
import sys

_PR_SET_PDEATHSIG = 1


def sterf_met_ouder(ouder: int) -> None:
    """Die with the parent, also when that one is SIGKILLed (Linux); call first in the child."""
    if sys.platform == "linux":
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(_PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
    if os.getppid() != ouder:  # the parent died before the line above took effect
        os._exit(1)
