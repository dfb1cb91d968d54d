"""Small charts drawn on the server as inline SVG: no script, readable without colour, with a
title for screen readers; the same figures are always in a table beside them."""

from __future__ import annotations

from collections.abc import Sequence

from markupsafe import Markup, escape

BREEDTE = 560
RIJ = 26
LABEL = 190


def staafdiagram(waarden: Sequence[tuple[str, int]], *, titel: str) -> Markup:
    """Horizontal bars, one per (label, count), scaled to the largest."""
    hoogste = max((n for _, n in waarden), default=0) or 1
    ruimte = BREEDTE - LABEL - 60
    delen = [
        f'<svg class="grafiek" role="img" aria-labelledby="g-titel" '
        f'viewBox="0 0 {BREEDTE} {RIJ * len(waarden) + 8}" width="100%">',
        f'<title id="g-titel">{escape(titel)}</title>',
    ]
    for i, (label, n) in enumerate(waarden):
        y = 4 + i * RIJ
        lengte = round(ruimte * n / hoogste)
        delen.append(
            f'<text x="{LABEL - 6}" y="{y + 16}" text-anchor="end">{escape(label[:28])}</text>'
            f'<rect x="{LABEL}" y="{y + 3}" width="{lengte}" height="{RIJ - 8}"></rect>'
            f'<text x="{LABEL + lengte + 6}" y="{y + 16}">{n}</text>'
        )
    delen.append("</svg>")
    return Markup("".join(delen))  # noqa: S704 - every label escaped above, numbers are ints
