"""robots.txt for every request, not just the first ones: Scrapy 2.14+ lets only the first request
that waits for a domain's robots.txt see the parser (the others get None and are let through), so
requests that wait here get the parser relayed to each of them."""

from __future__ import annotations

from scrapy.downloadermiddlewares.robotstxt import RobotsTxtMiddleware
from scrapy.utils.defer import maybe_deferred_to_future
from scrapy.utils.httpobj import urlparse_cached
from twisted.internet.defer import Deferred


class RobotsMiddleware(RobotsTxtMiddleware):
    async def robot_parser(self, request):  # type: ignore[override]
        pending = self._parsers.get(urlparse_cached(request).netloc)
        if not isinstance(pending, Deferred):
            return await super().robot_parser(request)
        mine: Deferred = Deferred()

        def relay(parser):
            mine.callback(parser)
            return parser  # keep the result for the next waiter (asFuture would swallow it)

        pending.addCallback(relay)
        return await maybe_deferred_to_future(mine)
