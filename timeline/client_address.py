"""The address a request comes from, as far as the site's own proxies vouch for it."""

import ipaddress

from django.conf import settings
from django.http import HttpRequest


def client_address(request: HttpRequest) -> str | None:
    """The client's address, for sign-in throttling (django-axes' AXES_CLIENT_IP_CALLABLE).

    With ``PROXY_COUNT`` = 0 it is ``REMOTE_ADDR`` and ``X-Forwarded-For`` is ignored.
    Behind N proxies, each appending the address it received from to
    ``X-Forwarded-For``, it is the Nth entry from the right: the one the outermost
    of them appended. Whatever stands further left came from the client and is
    never read, so a forged header cannot choose the address. When the header
    is missing, has fewer than N entries or that entry is no address, it is
    ``REMOTE_ADDR`` (the nearest proxy: every such request counts as one client,
    which is safe, not as whoever it claims to be).

    An IPv6 address stands for its /64 network: one household, office or server
    is given a whole /64 and can pick any address in it, so counting failures per
    address would give it endless fresh ones. ``PROXY_COUNT`` is read on each
    call, so that tests can change it.
    """
    remote_addr = request.META.get("REMOTE_ADDR", "")
    count = settings.PROXY_COUNT
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
    if count and forwarded:
        entries = forwarded.split(",")
        if len(entries) >= count:
            address = _parsed(entries[-count])
            if address is not None:
                return _throttling_key(address)
    address = _parsed(remote_addr)
    return None if address is None else _throttling_key(address)


def _parsed(value: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    try:
        return ipaddress.ip_address(value.strip())
    except ValueError:
        return None


def _throttling_key(address: ipaddress.IPv4Address | ipaddress.IPv6Address) -> str:
    if isinstance(address, ipaddress.IPv6Address):
        if address.ipv4_mapped is not None:  # ::ffff:192.0.2.1 is an IPv4 client
            return str(address.ipv4_mapped)
        return str(ipaddress.IPv6Network((address, 64), strict=False).network_address)
    return str(address)
