"""The one family of errors a person or a caller can act on (issue 21): each has a code, a
message for people (one line, naming what is wrong and where, never a command-line flag: it
reaches HTTP callers too) and the HTTP status it maps to. The command line prints it and exits
1, both APIs answer it with its status — each in one place. Anything else is a bug."""

from __future__ import annotations

import re
from typing import ClassVar


class KbiFout(Exception):
    """Refused work with the reason; 400 unless a kind says otherwise."""

    status: ClassVar[int] = 400

    @property
    def code(self) -> str:
        """A stable name for the kind of error (``aanvraag_fout``, ``forbidden``, ...)."""
        return re.sub(r"(?<!^)(?=[A-Z])", "_", type(self).__name__).lower()


class Ongeldig(KbiFout, ValueError):
    """Input that is not what was asked for (the field and the reason are in the message)."""


class Unauthenticated(KbiFout):
    """The caller did not prove who they are (a bad password, token or signature)."""

    status = 401


class Forbidden(KbiFout, PermissionError):
    """The actor is who they say, and may not do this (their role, their zorgkas, the
    protocol's state); the reason says which."""

    status = 403


class NotFound(KbiFout, LookupError):
    """No such thing — or none this actor may see, said the same way."""

    status = 404


class Conflict(KbiFout):
    """A commit refused because it would break a uniqueness the data must keep (a second list
    for a year, a referte used twice): another run got there first."""

    status = 409


class Unavailable(KbiFout):
    """Someone this work needs cannot answer now (the other node, AII): try again later."""

    status = 503


class CmsError(KbiFout):
    """A CMS file refused: it does not open, or its signature does not hold."""


class PkiError(KbiFout):
    """A certificate or key that the settings name cannot be read."""
