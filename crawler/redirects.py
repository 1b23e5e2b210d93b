"""Scrapy's redirect and meta-refresh middlewares, with the rules of addresses.py: a redirect or
a <meta http-equiv=refresh> from a public page into this machine or its network, or from https
to http, is refused before the request is made, and a response that came from an inside address
after a redirect (a name that changed what it resolves to) is refused when it arrives."""

from __future__ import annotations

from scrapy.downloadermiddlewares.redirect import MetaRefreshMiddleware, RedirectMiddleware
from scrapy.exceptions import IgnoreRequest
from scrapy.http import Request, Response

from .addresses import inside, inside_address, refusal


class RefusedRedirect(IgnoreRequest):
    """A redirect we do not follow; `policywatch_reason` is the typed reason of the fetch."""

    def __init__(self, reason: str, detail: str):
        super().__init__(detail)
        self.policywatch_reason = reason


def _origin(request: Request) -> str:
    return (request.meta.get("redirect_urls") or [request.url])[0]


def _check_redirect(request: Request, redirected: Request) -> None:
    refused = refusal(_origin(request), redirected.url, request.url)
    if refused:
        raise RefusedRedirect(*refused)


def _check_peer(request: Request, response: Response) -> None:
    """After a redirect, the address the answer actually came from (not through a proxy, whose
    address says nothing of the target's)."""
    if not request.meta.get("redirect_urls") or request.meta.get("proxy") or request.meta.get("_auth_proxy"):
        return
    peer = getattr(response, "ip_address", None)
    if peer is not None and inside_address(str(peer)) and not inside(_origin(request)):
        raise RefusedRedirect(
            "blocked_address", f"redirected to {response.url}, which answered from {peer}, an inside address"
        )


class SafeRedirectMiddleware(RedirectMiddleware):
    def process_response(self, request: Request, response: Response, *args, **kwargs):  # type: ignore[override]
        _check_peer(request, response)
        return super().process_response(request, response, *args, **kwargs)

    def _redirect(self, redirected: Request, request: Request, *args, **kwargs) -> Request:  # type: ignore[override]
        _check_redirect(request, redirected)
        return super()._redirect(redirected, request, *args, **kwargs)


class SafeMetaRefreshMiddleware(MetaRefreshMiddleware):
    def _redirect(self, redirected: Request, request: Request, *args, **kwargs) -> Request:  # type: ignore[override]
        _check_redirect(request, redirected)
        return super()._redirect(redirected, request, *args, **kwargs)
