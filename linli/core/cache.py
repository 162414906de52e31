"""Django's Redis cache behind the "redis" circuit breaker (core.breaker): while Redis is known
to be down every operation raises `DependencyDown` at once instead of waiting out a socket
timeout. Callers already treat a cache error as a miss and take their fallback."""

import functools

from django.core.cache.backends.redis import RedisCache

from .breaker import breaker

GUARDED = ("add", "get", "set", "touch", "delete", "get_many", "has_key", "incr", "set_many", "delete_many", "clear")


class GuardedRedisCache(RedisCache):
    pass


def _guarded(name):
    method = getattr(RedisCache, name)

    @functools.wraps(method)
    def guarded(self, *args, **kwargs):
        return breaker("redis").call(method, self, *args, **kwargs)

    return guarded


for _name in GUARDED:
    setattr(GuardedRedisCache, _name, _guarded(_name))
