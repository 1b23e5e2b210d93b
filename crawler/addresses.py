"""Where a redirect may lead: a public page must not send the crawler to this machine or its
network (loopback, private, link-local, the cloud metadata address: server-side request forgery
on a self-hosted runner), and an https page must not fall back to plain http.

A page may go wherever its own document already is: the tests and the demo serve from 127.0.0.1,
so a page there may redirect within 127.0.0.1. Whether a host is "inside" is decided by its
literal address, the name localhost, or what the name resolves to (a public name pointing at a
private address is inside too).
"""

from __future__ import annotations

import ipaddress
import socket
from collections.abc import Callable
from urllib.parse import urlsplit

Resolve = Callable[[str], list[str]]  # host name -> its addresses ([] when it does not resolve)


def resolve(host: str) -> list[str]:
    try:
        return sorted({info[4][0] for info in socket.getaddrinfo(host, None)})
    except (OSError, UnicodeError):
        return []


def inside_address(address: str) -> bool:
    """Loopback, private, link-local, carrier-grade NAT, unspecified, reserved or multicast: any
    address that is not a public destination on the internet."""
    try:
        ip = ipaddress.ip_address(address.split("%", 1)[0])
    except ValueError:
        return False
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    return not ip.is_global or ip.is_multicast


def _host(url: str) -> str:
    try:
        return (urlsplit(url).hostname or "").rstrip(".").lower()
    except ValueError:
        return ""


def inside(url: str, resolve: Resolve = resolve) -> bool:
    """Whether `url` points into this machine or its network."""
    host = _host(url)
    if not host:
        return False
    if host == "localhost" or host.endswith(".localhost"):
        return True
    try:
        ipaddress.ip_address(host)
    except ValueError:
        return any(inside_address(a) for a in resolve(host))
    return inside_address(host)


def refusal(origin: str, target: str, previous: str = "", resolve: Resolve = resolve) -> tuple[str, str] | None:
    """(reason, detail) when a page that started at `origin` must not follow a redirect from
    `previous` (default: `origin`) to `target`; None when it may."""
    previous = previous or origin
    if urlsplit(previous).scheme.lower() == "https" and urlsplit(target).scheme.lower() == "http":
        return "insecure_redirect", f"an https page redirected to plain http: {target}"
    if urlsplit(target).scheme.lower() in ("http", "https") and not inside(origin, resolve) and inside(target, resolve):
        return "blocked_address", f"redirected to {target}, an address of this machine or its network"
    return None
