"""Single-project reads cached in Redis, which the service can do without.

A read looks in Redis first and, on a miss, fills it from the database; every write that changes a
project forgets its entry once committed. Redis is optional: when it refuses, hangs or drops the
connection, a call gives up within the client's timeout, the first failure logs one warning, and
for ``retry_after`` seconds the requests go straight to the database. Then Redis is tried again,
and used again as soon as it answers; writes made meanwhile are forgotten first.
"""

import logging
import time
from collections.abc import Awaitable, Callable
from typing import TypeVar

from pydantic import ValidationError
from redis.asyncio import Redis
from redis.asyncio.retry import Retry
from redis.backoff import NoBackoff
from redis.exceptions import RedisError

from {{ cookiecutter.project_slug }}.schemas import ProjectRead

logger = logging.getLogger(__name__)

T = TypeVar("T")

DEFAULT_TIMEOUT = 0.5
DEFAULT_TTL = 60
RETRY_AFTER = 5.0
# Project ids whose forgetting waits for Redis to come back, at most (past that, entries live out their TTL).
MAX_PENDING = 10_000

# Fill an entry only if no write forgot the project since the read looked (the generation it saw
# is still current): a read that raced a write never puts back what the write replaced.
FILL_IF_UNCHANGED = """
if (redis.call('GET', KEYS[2]) or '') == ARGV[1] then
    return redis.call('SET', KEYS[1], ARGV[2], 'EX', ARGV[3])
end
return false
"""


def make_redis(url: str, *, timeout: float = DEFAULT_TIMEOUT) -> Redis:
    """A client that waits at most ``timeout`` seconds to connect and for each answer, and retries
    once at once (a pooled connection may have died with an earlier server), never with backoff."""
    return Redis.from_url(url, socket_connect_timeout=timeout, socket_timeout=timeout, retry=Retry(NoBackoff(), 1))


def project_key(project_id: int) -> str:
    """Where a project's cached body lives."""
    return f"project:{project_id}"


def generation_key(project_id: int) -> str:
    """A counter every write of the project bumps: fills that began before it are dropped."""
    return f"project:{project_id}:generation"


class ProjectCache:
    """Cached ``ProjectRead`` bodies, ``ttl`` seconds each, with what to do when Redis is away."""

    def __init__(self, redis: Redis, *, ttl: int = DEFAULT_TTL, retry_after: float = RETRY_AFTER) -> None:
        self.redis = redis
        self.ttl = ttl
        self.retry_after = retry_after
        self._fill = redis.register_script(FILL_IF_UNCHANGED)
        self._unavailable_until: float | None = None
        self._pending: set[int] = set()

    async def project(self, project_id: int, load: Callable[[], Awaitable[ProjectRead | None]]) -> ProjectRead | None:
        """The cached project, or ``load()``'s (then cached, if it exists)."""
        key, generation = project_key(project_id), generation_key(project_id)
        found = await self._use(lambda: self.redis.mget(key, generation))
        if found is not None and found[0] is not None:
            try:
                return ProjectRead.model_validate_json(found[0])
            except ValidationError:
                pass  # written by an older version of the service: read it again
        project = await load()
        if project is not None and found is not None:
            entry = [found[1] or b"", project.model_dump_json(), self.ttl]
            await self._use(lambda: self._fill(keys=[key, generation], args=entry))
        return project

    async def forget(self, project_id: int) -> None:
        """Drop the project's entry after a committed write, or as soon as Redis is back."""
        self._pending.add(project_id)
        await self._use(self._forget_pending)

    async def available(self) -> bool:
        """Whether Redis answers (within ``retry_after`` seconds of a failure it is not asked)."""
        return await self._use(self.redis.ping) is not None

    async def _forget_pending(self) -> bool:
        """Forget every project written since this last succeeded (nothing to do: no round trip)."""
        if not self._pending:
            return True
        forgotten, self._pending = self._pending, set()
        try:
            async with self.redis.pipeline(transaction=True) as pipe:
                for project_id in forgotten:
                    pipe.incr(generation_key(project_id))
                    pipe.expire(generation_key(project_id), self.ttl)
                    pipe.delete(project_key(project_id))
                await pipe.execute()
        except BaseException:
            # Past MAX_PENDING, the rest live out their TTL.
            self._pending = set(list(self._pending | forgotten)[:MAX_PENDING])
            raise
        return True

    async def _use(self, command: Callable[[], Awaitable[T]]) -> T | None:
        """``command()``'s answer, or None while Redis is away (a warning when it goes, and when it is back)."""
        if self._unavailable_until is not None and time.monotonic() < self._unavailable_until:
            return None
        try:
            await self._forget_pending()  # writes made while Redis was away go first
            result = await command()
        except RedisError as exc:
            if self._unavailable_until is None:
                logger.warning("Redis is unavailable, serving from the database: %r", exc)
            self._unavailable_until = time.monotonic() + self.retry_after
            return None
        if self._unavailable_until is not None:
            logger.info("Redis is back: caching again")
            self._unavailable_until = None
        return result
