"""Postcode -> approximate place -> distance. Offline, deterministic, good to a few km.

A shared geocoder is being built elsewhere; until then this module is the one place that
knows where a postcode is. Swap `coordinates` (or `distance_km`) for the shared geocoder and
matching follows.

Method: only the four digits of a Dutch postcode (PC4) are used. The demo areas have fixed
points (9501-9504 Samenstad, 8201 Tweestad). Any other PC4 gets the centre of its two-digit
region from a small table (roughly where those postcodes lie in the Netherlands) plus a
deterministic offset from the last two digits of at most about 8 km. Distances are
great-circle (haversine). An invalid or empty postcode has no place: distance None.
"""

import functools
import re

from .matching import haversine_km

PC4_RE = re.compile(r"^\s*([1-9][0-9]{3})")

# The demo postcodes (fictional towns; the points lie near Stadskanaal and Lelystad).
KNOWN_PC4 = {
    "9501": (52.9950, 6.9500),
    "9502": (53.0050, 6.9300),
    "9503": (52.9850, 6.9750),
    "9504": (53.0150, 6.9700),
    "8201": (52.5150, 5.4750),
}

# Approximate centres of the two-digit postcode regions, by the first digit, refined by the
# second digit along the region's main axis. Enough for "is this within 10 km".
REGION = {
    "1": ((52.37, 4.90), (0.06, 0.02)),  # Noord-Holland
    "2": ((52.08, 4.40), (0.03, -0.04)),  # Zuid-Holland west
    "3": ((52.00, 5.00), (0.02, 0.04)),  # Utrecht, Zuid-Holland oost
    "4": ((51.55, 4.20), (-0.03, 0.08)),  # Zeeland, West-Brabant
    "5": ((51.55, 5.30), (-0.05, 0.08)),  # Brabant, Noord-Limburg
    "6": ((51.60, 5.90), (0.06, 0.02)),  # Limburg, Gelderland
    "7": ((52.35, 6.40), (0.08, 0.03)),  # Overijssel, Drenthe
    "8": ((52.60, 5.70), (0.06, -0.02)),  # Flevoland, Friesland
    "9": ((53.10, 6.30), (0.02, 0.06)),  # Groningen, Friesland, Drenthe
}


def pc4(postcode: str) -> str | None:
    match = PC4_RE.match(postcode or "")
    return match.group(1) if match else None


@functools.lru_cache(maxsize=20000)
def coordinates(postcode: str) -> tuple[float, float] | None:
    """Approximate (lat, lon) of a postcode's PC4 area, or None."""
    code = pc4(postcode)
    if code is None:
        return None
    if code in KNOWN_PC4:
        return KNOWN_PC4[code]
    (lat, lon), (dlat, dlon) = REGION[code[0]]
    second, third, fourth = int(code[1]), int(code[2]), int(code[3])
    lat += dlat * (second - 4.5)
    lon += dlon * (second - 4.5)
    # Deterministic spread inside the region: about 0.07 degrees each way at most.
    lat += (third - 4.5) * 0.015
    lon += (fourth - 4.5) * 0.022
    return (round(lat, 4), round(lon, 4))


def distance_km(postcode_a: str, postcode_b: str) -> float | None:
    """Approximate distance in km between two Dutch postcodes; None if either is unknown."""
    a, b = coordinates(postcode_a), coordinates(postcode_b)
    if a is None or b is None:
        return None
    return float(haversine_km(a[0], a[1], b[0], b[1]))
