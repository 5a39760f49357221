"""Places, in one module: the Dutch postcode (parse, normalise, a form field), geocoding
(postcode or address -> latitude, longitude) and distances. The agenda, the matching of
volunteers and every form use this, so a place is in the same spot for all of them.

`SAMEN_GEOCODER=pdok` asks the PDOK Locatieserver (the Dutch government's geocoder);
`offline` (the default, so the demo and the tests need no network) knows the postcode areas
in `core/data/pc4.json` and answers None for the rest. Results are cached.
"""

import hashlib
import json
import math
import re
import urllib.parse
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from django import forms
from django.conf import settings
from django.core.cache import cache
from django.utils.translation import gettext_lazy as _

from samen.core import fetch

POINT_RE = re.compile(r"POINT\(\s*([-0-9.]+)\s+([-0-9.]+)\s*\)")
LATLON_RE = re.compile(r"^\s*(-?\d{1,2}(?:\.\d+)?)\s*,\s*(-?\d{1,3}(?:\.\d+)?)\s*$")
POSTCODE_RE = re.compile(r"^\s*([1-9][0-9]{3})\s?([A-Za-z]{2})?\s*$")
# A full Dutch postcode as people type it: 1234AB, 1234 AB, 1234ab.
FULL_POSTCODE_RE = re.compile(r"^[1-9][0-9]{3}\s?[A-Za-z]{2}$")
PC4_RE = re.compile(r"^\s*([1-9][0-9]{3})")


def normalise_postcode(value: str) -> str:
    """'1234 ab' -> '1234AB', the way postcodes are stored."""
    return value.replace(" ", "").upper()


def pc4(postcode: str) -> str | None:
    """The four digits of a postcode (the area), or None."""
    match = PC4_RE.match(postcode or "")
    return match.group(1) if match else None


class PostcodeField(forms.CharField):
    """A full Dutch postcode, stored as '1234AB'; the same Dutch error on every form."""

    default_error_messages = {"invalid": _("Vul een postcode in zoals 1234 AB.")}

    def __init__(self, **kwargs):
        kwargs.setdefault("max_length", 7)
        super().__init__(**kwargs)
        self.error_messages["max_length"] = self.error_messages["invalid"]

    def clean(self, value):
        value = super().clean(value)
        return normalise_postcode(value) if value else value

    def validate(self, value):
        super().validate(value)
        if value and not FULL_POSTCODE_RE.match(value):
            raise forms.ValidationError(self.error_messages["invalid"], code="invalid")


@dataclass(frozen=True)
class Point:
    latitude: float
    longitude: float


def distance_km(a: Point, b: Point) -> float:
    """Great-circle distance (haversine)."""
    lat1, lon1, lat2, lon2 = map(math.radians, (a.latitude, a.longitude, b.latitude, b.longitude))
    h = (
        math.sin((lat2 - lat1) / 2) ** 2
        + math.cos(lat1) * math.cos(lat2) * math.sin((lon2 - lon1) / 2) ** 2
    )
    return 6371.0 * 2 * math.asin(math.sqrt(h))


def bounding_box(center: Point, radius_km: float) -> tuple[float, float, float, float]:
    dlat = radius_km / 111.0
    dlon = radius_km / (111.0 * max(0.1, math.cos(math.radians(center.latitude))))
    return (
        center.latitude - dlat,
        center.latitude + dlat,
        center.longitude - dlon,
        center.longitude + dlon,
    )


CELL_SIZE = 0.1  # degrees; a cell is about 11 x 7 km in the Netherlands


def cell_of(latitude: float, longitude: float) -> int:
    return math.floor(latitude / CELL_SIZE) * 10000 + math.floor(longitude / CELL_SIZE)


def cells_near(center: Point, radius_km: float) -> list[int]:
    lat_min, lat_max, lon_min, lon_max = bounding_box(center, radius_km)
    rows = range(math.floor(lat_min / CELL_SIZE), math.floor(lat_max / CELL_SIZE) + 1)
    cols = range(math.floor(lon_min / CELL_SIZE), math.floor(lon_max / CELL_SIZE) + 1)
    return [row * 10000 + col for row in rows for col in cols]


class OfflineGeocoder:
    """Postcode areas (PC4) from a bundled table; no network."""

    @staticmethod
    @lru_cache(maxsize=1)
    def table() -> dict[str, list[float]]:
        return json.loads((Path(__file__).parent / "data" / "pc4.json").read_text())

    def geocode(self, query: str) -> Point | None:
        match = POSTCODE_RE.match(query)
        if not match:
            return None
        found = self.table().get(match.group(1))
        return Point(found[0], found[1]) if found else None


class PdokGeocoder:
    """PDOK Locatieserver v3.1 `free` search: the first hit's `centroide_ll`."""

    def __init__(self, base_url: str, timeout: float = 3.0):
        self.base_url = base_url.rstrip("/")
        self.timeout = timeout

    def geocode(self, query: str) -> Point | None:
        params = urllib.parse.urlencode(
            {"q": query, "rows": 1, "fl": "centroide_ll,weergavenaam,type"}
        )
        url = f"{self.base_url}/free?{params}"
        try:
            response = fetch.get(url, timeout=self.timeout, max_bytes=1_000_000, max_redirects=2)
            body = json.loads(response.body) if response.status == 200 else {}
        except (fetch.FetchError, ValueError):
            return None
        if not isinstance(body, dict):
            return None
        docs = body.get("response", {}).get("docs", [])
        if not docs:
            return None
        match = POINT_RE.search(docs[0].get("centroide_ll", ""))
        if not match:
            return None
        return Point(latitude=float(match.group(2)), longitude=float(match.group(1)))


def get_geocoder():
    if settings.SAMEN_GEOCODER == "pdok":
        return PdokGeocoder(settings.SAMEN_PDOK_URL)
    return OfflineGeocoder()


def remote_budget(request) -> Callable[[], bool]:
    """For a visitor's search: may this client make one more request to the remote geocoder
    (SAMEN_GEOCODE_RATE per client)? Asked only when the answer is not in the cache."""
    from django_ratelimit.core import is_ratelimited

    def allowed() -> bool:
        return not is_ratelimited(
            request, group="geocode", key="ip", rate=settings.SAMEN_GEOCODE_RATE, increment=True
        )

    return allowed


def geocode(query: str, *, may_ask_remote: Callable[[], bool] | None = None) -> Point | None:
    """A place for `near=`: "lat,lon", a postcode (1234AB or 1234) or an address.
    `may_ask_remote` (see `remote_budget`): when it says no, the offline table answers."""
    query = (query or "").strip()[:200]
    if not query:
        return None
    latlon = LATLON_RE.match(query)
    if latlon:
        lat, lon = float(latlon.group(1)), float(latlon.group(2))
        if -90 <= lat <= 90 and -180 <= lon <= 180:
            return Point(lat, lon)
        return None
    normal = re.sub(r"\s+", "", query.lower())
    key = "geo:" + settings.SAMEN_GEOCODER + ":" + hashlib.sha256(normal.encode()).hexdigest()[:32]
    cached = cache.get(key)
    if cached is not None:
        return Point(*cached) if cached else None
    geocoder = get_geocoder()
    if not isinstance(geocoder, OfflineGeocoder) and may_ask_remote and not may_ask_remote():
        return OfflineGeocoder().geocode(query)  # not cached: the remote answers another time
    point = geocoder.geocode(query)
    cache.set(key, [point.latitude, point.longitude] if point else [], 24 * 3600)
    return point


def postcode_point(postcode: str) -> Point | None:
    """Where a stored postcode's area (PC4) lies, for distances between records (volunteers,
    needs, activities), from the configured geocoder. Cached for a month per area (areas do
    not move); a miss for an hour (PDOK may have been unreachable)."""
    code = pc4(postcode)
    if code is None:
        return None
    key = f"geo-pc4:{settings.SAMEN_GEOCODER}:{code}"
    cached = cache.get(key)
    if cached is not None:
        return Point(*cached) if cached else None
    point = get_geocoder().geocode(postcode.strip() or code)
    if point is None:
        cache.set(key, [], 3600)
    else:
        cache.set(key, [point.latitude, point.longitude], 30 * 24 * 3600)
    return point
