"""The visitor's address, as rate limits and the audit log should see it.

Behind the documented reverse proxy every request comes from the proxy, so the visitor's
address is in X-Forwarded-For. That header is written by whoever sends the request, so it is
believed only as far as it was appended by a proxy we trust (``SAMEN_TRUSTED_PROXIES``): the
client is the right-most address of X-Forwarded-For + REMOTE_ADDR that is not a trusted proxy.
Without the setting X-Forwarded-For is ignored and REMOTE_ADDR is the client.
"""

import ipaddress
from functools import lru_cache

from django.conf import settings
from django.http import HttpRequest

Network = ipaddress.IPv4Network | ipaddress.IPv6Network
Address = ipaddress.IPv4Address | ipaddress.IPv6Address


@lru_cache(maxsize=8)
def _networks(entries: tuple[str, ...]) -> tuple[Network, ...]:
    return tuple(ipaddress.ip_network(entry, strict=False) for entry in entries)


def _parse(value: str) -> Address | None:
    value = value.strip()
    if value.startswith("[") and "]" in value:  # [2001:db8::1]:443
        value = value[1 : value.index("]")]
    elif value.count(":") == 1:  # 192.0.2.1:443
        value = value.partition(":")[0]
    try:
        address = ipaddress.ip_address(value)
    except ValueError:
        return None
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped:
        return address.ipv4_mapped
    return address


def _trusted(address: Address, networks: tuple[Network, ...]) -> bool:
    return any(address.version == net.version and address in net for net in networks)


def client_ip(request: HttpRequest) -> str:
    """The right-most address of X-Forwarded-For + REMOTE_ADDR that is not a trusted proxy."""
    remote = request.META.get("REMOTE_ADDR", "") or "0.0.0.0"  # noqa: S104 - a key, not a bind
    networks = _networks(tuple(getattr(settings, "SAMEN_TRUSTED_PROXIES", ()) or ()))
    if not networks:
        return remote
    hops = [h for h in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if h.strip()]
    last = None
    for hop in reversed([*hops, remote]):
        address = _parse(hop)
        if address is None:  # not written by a proxy of ours: stop at the last good hop
            break
        last = address
        if not _trusted(address, networks):
            return str(address)
    return str(last) if last is not None else remote
