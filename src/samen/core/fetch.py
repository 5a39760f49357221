"""The one guarded outbound fetcher: every GET of an address from outside (a feed, its
preview, the PDOK geocoder) goes through `get`.

- Only http and https; no user name or password in the address.
- The host name is resolved once; every address it resolves to must be public (not
  loopback, RFC 1918, CGNAT, link-local / cloud metadata, multicast, unspecified, reserved,
  IPv6 ULA, NAT64/6to4/Teredo, nor an IPv6 address that embeds a non-public IPv4 one), and
  the connection goes to that checked address (pinned), with the real host name in `Host`,
  SNI and the certificate check.
- Redirects are followed here, at most `max_redirects`, each target checked again.
- One deadline for the whole download (connect, headers, every read), enforced by a timer
  that shuts the socket; the size limit is counted while reading.
- `SAMEN_FEED_ALLOWED_HOSTS` ("host" or "host:port") lifts the address check for named
  hosts: the tests' local server, an intranet feed.

Errors are a `FetchError`: `public` is what an anonymous visitor may see (never whether a
port is open), `detail` what the log and the organisation's staff see."""

import errno
import http.client
import ipaddress
import logging
import socket
import ssl
import threading
import time
from dataclasses import dataclass, field
from urllib.parse import urljoin, urlsplit

from django.conf import settings

logger = logging.getLogger(__name__)

PUBLIC_MESSAGE = "Dit adres konden we niet lezen."
REDIRECTS = {301, 302, 303, 307, 308}
USER_AGENT = "Samen/0.1 (+agenda)"

# Ranges Python 3.11's `is_global` lets through, or that embed or route to another network.
BLOCKED_NETWORKS = [
    ipaddress.ip_network(net)
    for net in (
        "100.64.0.0/10",  # CGNAT
        "192.0.0.0/24",  # IETF protocol assignments
        "192.88.99.0/24",  # 6to4 relay anycast
        "::/96",  # IPv4-compatible IPv6 (deprecated)
        "64:ff9b::/96",  # NAT64
        "64:ff9b:1::/48",  # local-use NAT64
        "2001::/32",  # Teredo
        "2002::/16",  # 6to4
        "5f00::/16",  # segment routing
    )
]


class FetchError(Exception):
    """Why an address could not be read: `detail` (Dutch, for staff and the log) and
    `public` (the one sentence an anonymous visitor gets)."""

    def __init__(self, detail: str, *, public: str = PUBLIC_MESSAGE):
        super().__init__(detail)
        self.detail = detail
        self.public = public


@dataclass
class Response:
    status: int
    url: str  # after redirects
    headers: dict[str, str] = field(default_factory=dict)  # names in lower case
    body: bytes = b""


def is_public_address(address: str) -> bool:
    """True when `address` (an IP literal) is on the public internet."""
    ip = ipaddress.ip_address(address.split("%", 1)[0])
    if ip.version == 6 and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    if any(ip in net for net in BLOCKED_NETWORKS if net.version == ip.version):
        return False
    return ip.is_global and not (
        ip.is_multicast or ip.is_reserved or ip.is_link_local or ip.is_unspecified
    )


def _allowed(host: str, port: int) -> bool:
    allowed = {entry.strip().lower() for entry in settings.SAMEN_FEED_ALLOWED_HOSTS}
    return host in allowed or f"{host}:{port}" in allowed


def resolve(host: str, port: int) -> str:
    """Resolve once, check every address, return the one to connect to."""
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError, ValueError) as error:
        raise FetchError(f"De naam {host} bestaat niet of is niet te vinden.") from error
    addresses = [str(info[4][0]) for info in infos if info[0] in (socket.AF_INET, socket.AF_INET6)]
    if not addresses:
        raise FetchError(f"De naam {host} bestaat niet of is niet te vinden.")
    if not _allowed(host, port):
        refused = [address for address in addresses if not is_public_address(address)]
        if refused:
            logger.warning("Outbound fetch to %s refused: resolves to %s", host, refused)
            raise FetchError(
                f"{host} verwijst naar een intern of niet-openbaar netwerkadres; "
                "Samen haalt daar niets op."
            )
    return addresses[0]


class _PinnedHTTPConnection(http.client.HTTPConnection):
    """Connects to the checked address; `Host` stays the name in the address."""

    def __init__(self, host: str, port: int, *, address: str, deadline: "_Deadline"):
        super().__init__(host, port, timeout=deadline.left())
        self.address = address
        self.deadline = deadline

    def connect(self) -> None:
        self.sock = socket.create_connection((self.address, self.port), self.deadline.left())
        self.deadline.sock = self.sock


class _PinnedHTTPSConnection(http.client.HTTPSConnection):
    def __init__(self, host: str, port: int, *, address: str, deadline: "_Deadline"):
        super().__init__(host, port, timeout=deadline.left(), context=ssl.create_default_context())
        self.address = address
        self.deadline = deadline

    def connect(self) -> None:
        sock = socket.create_connection((self.address, self.port), self.deadline.left())
        self.deadline.sock = sock
        # SNI and the certificate check use the host name, not the address connected to.
        self.sock = self._context.wrap_socket(sock, server_hostname=self.host)  # type: ignore[attr-defined]
        self.deadline.sock = self.sock


class _Deadline:
    """Shuts the connection's socket when the time is up, whatever it is waiting for."""

    def __init__(self, seconds: float):
        self.seconds = seconds
        self.ends = time.monotonic() + seconds
        self.expired = False
        self.sock: socket.socket | None = None  # the one in use (http.client drops its own)
        self._timer = threading.Timer(max(seconds, 0.001), self._expire)
        self._timer.daemon = True
        self._timer.start()

    def left(self) -> float:
        left = self.ends - time.monotonic()
        if left <= 0:
            self.expired = True
            raise TimeoutError
        return left

    def _expire(self) -> None:
        self.expired = True
        sock = self.sock
        if sock is not None:
            try:
                socket.socket.shutdown(sock, socket.SHUT_RDWR)
            except OSError:
                pass

    def cancel(self) -> None:
        self._timer.cancel()


def _target(url: str) -> tuple[str, str, int, str]:
    parts = urlsplit(url)
    scheme = parts.scheme.lower()
    if scheme not in ("http", "https"):
        raise FetchError("Alleen adressen die beginnen met http:// of https:// worden gelezen.")
    if parts.username is not None or parts.password is not None:
        raise FetchError("Een adres met een gebruikersnaam of wachtwoord wordt niet gelezen.")
    try:
        port = parts.port or (443 if scheme == "https" else 80)
    except ValueError as error:
        raise FetchError("Dit adres heeft een ongeldig poortnummer.") from error
    host = (parts.hostname or "").rstrip(".")
    if not host:
        raise FetchError("In dit adres staat geen websitenaam.")
    try:
        host = host.encode("idna").decode("ascii")  # bücherei.nl -> xn--bcherei-...
    except UnicodeError as error:
        raise FetchError("In dit adres staat geen geldige websitenaam.") from error
    path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    return scheme, host, port, path


def get(
    url: str,
    *,
    headers: dict[str, str] | None = None,
    timeout: float | None = None,
    max_bytes: int | None = None,
    max_redirects: int = 5,
) -> Response:
    """GET `url` under the rules above. Any status but a redirect is returned (304, 404:
    the caller decides); FetchError for everything that is not an HTTP answer in time."""
    timeout = settings.SAMEN_FEED_TIMEOUT if timeout is None else timeout
    max_bytes = settings.SAMEN_FEED_MAX_BYTES if max_bytes is None else max_bytes
    deadline = _Deadline(timeout)
    try:
        for _hop in range(max_redirects + 1):
            response = _get_once(url, headers or {}, deadline, max_bytes)
            location = response.headers.get("location")
            if response.status not in REDIRECTS or not location:
                return response
            url = urljoin(url, location.strip())
        raise FetchError(f"Het adres stuurt meer dan {max_redirects} keer door.")
    except FetchError as error:
        logger.info("Outbound fetch of %s failed: %s", url, error.detail)
        raise
    finally:
        deadline.cancel()


def _get_once(url: str, headers: dict[str, str], deadline: _Deadline, max_bytes: int) -> Response:
    scheme, host, port, path = _target(url)
    try:
        address = resolve(host, port)
        kind = _PinnedHTTPSConnection if scheme == "https" else _PinnedHTTPConnection
        connection = kind(host, port, address=address, deadline=deadline)
        try:
            connection.request(
                "GET",
                path,
                headers={"User-Agent": USER_AGENT, "Accept-Encoding": "identity", **headers},
            )
            answer = connection.getresponse()
            status = answer.status
            found = {name.lower(): value for name, value in answer.getheaders()}
            if status in REDIRECTS or status == 304:
                return Response(status=status, url=url, headers=found)
            length = found.get("content-length", "")
            if length.isdigit() and int(length) > max_bytes:
                raise _too_big(max_bytes)
            chunks, size = [], 0
            while True:
                deadline.left()
                chunk = answer.read(65536)
                if not chunk:
                    break
                size += len(chunk)
                if size > max_bytes:
                    raise _too_big(max_bytes)
                chunks.append(chunk)
            if deadline.expired:
                raise TimeoutError
            return Response(status=status, url=url, headers=found, body=b"".join(chunks))
        finally:
            connection.close()
    except FetchError:
        raise
    except ssl.SSLError as error:
        logger.info("TLS error for %s: %s", url, error)
        raise FetchError(
            "De beveiligde verbinding (https) kon niet worden opgezet: het certificaat klopt niet."
        ) from error
    except (http.client.HTTPException, ValueError) as error:
        if deadline.expired:
            raise FetchError(_too_slow(deadline)) from error
        logger.info("Not an HTTP answer from %s: %r", url, error)
        raise FetchError(
            "Op dit adres antwoordt geen webserver (geen geldig HTTP-antwoord)."
        ) from error
    except TimeoutError as error:
        raise FetchError(_too_slow(deadline)) from error
    except OSError as error:
        if deadline.expired:
            raise FetchError(_too_slow(deadline)) from error
        logger.info("Connection error for %s: %r", url, error)
        raise FetchError(_unreachable(error)) from error


def _unreachable(error: OSError) -> str:
    """For staff: why, in words (the errno itself goes to the log only)."""
    if isinstance(error, ConnectionRefusedError):
        return "De website is niet bereikbaar: de verbinding werd geweigerd."
    if isinstance(error, ConnectionResetError | BrokenPipeError | ConnectionAbortedError):
        return "De website is niet bereikbaar: de verbinding werd verbroken."
    if error.errno in (errno.ENETUNREACH, errno.EHOSTUNREACH):
        return "De website is niet bereikbaar: de server is via het netwerk niet te bereiken."
    return "De website is niet bereikbaar."


def _too_slow(deadline: _Deadline) -> str:
    return f"De website antwoordde niet binnen {deadline.seconds:g} seconden."


def _too_big(max_bytes: int) -> FetchError:
    return FetchError(f"De feed is te groot (meer dan {max_bytes // 1_000_000} MB).")
