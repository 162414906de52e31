"""Which URLs a webhook may point at, and which addresses a delivery may connect to.

Outside DEBUG and tests (settings.WEBHOOKS_ALLOW_PRIVATE off) a webhook must not reach
loopback, private, link-local or otherwise reserved addresses: an organization admin
must not be able to make the server call its own intranet. An intranet deployment whose
receivers live on private addresses turns the setting on.

The check runs twice: when the URL is registered (by name resolution) and on every
connection (on the address actually connected to), so a name that later resolves to a
private address is refused too.
"""

from __future__ import annotations

import ipaddress
import socket
from urllib.parse import urlsplit

from django.conf import settings

ALLOWED_SCHEMES = ("http", "https")


class AddressNotAllowed(Exception):
    pass


def private_allowed() -> bool:
    return bool(getattr(settings, "WEBHOOKS_ALLOW_PRIVATE", False))


def is_public(address: str) -> bool:
    ip = ipaddress.ip_address(address.split("%", 1)[0])
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped:
        ip = ip.ipv4_mapped
    return ip.is_global and not ip.is_multicast


def resolve(host: str, port: int) -> list[str]:
    infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    return sorted({info[4][0] for info in infos})


def check_host(host: str, port: int) -> None:
    """Raise AddressNotAllowed if the host resolves to a non-public address (when that matters)."""
    if private_allowed():
        return
    try:
        addresses = resolve(host, port)
    except (OSError, UnicodeError) as error:
        raise AddressNotAllowed(f"cannot resolve {host}: {error}") from None
    blocked = [address for address in addresses if not is_public(address)]
    if blocked or not addresses:
        raise AddressNotAllowed(f"{host} resolves to a non-public address {', '.join(blocked)}")


def guarded_create_connection(address, timeout=socket._GLOBAL_DEFAULT_TIMEOUT, source_address=None, **kwargs):
    """socket.create_connection that refuses a non-public peer (unless allowed)."""
    sock = socket.create_connection(address, timeout, source_address, **kwargs)
    if not private_allowed():
        peer = sock.getpeername()[0]
        if not is_public(peer):
            sock.close()
            raise AddressNotAllowed(f"refused to connect to non-public address {peer}")
    return sock


def split(url: str):
    """(scheme, host, port) of a URL, or ValueError."""
    parts = urlsplit(url)
    scheme = parts.scheme.lower()
    if scheme not in ALLOWED_SCHEMES or not parts.hostname:
        raise ValueError(url)
    port = parts.port or (443 if scheme == "https" else 80)
    return scheme, parts.hostname, port
