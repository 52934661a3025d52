"""The tests' Redis: one database index for each pytest-xdist worker, counted up from TEST_REDIS_URL's.

``redis://host:6379/4`` gives a serial run index 4, and workers gw0, gw1, ... indexes 4, 5, ...
Each index is emptied when its run starts and when it ends; no other index is ever touched.
"""

import re

from redis import ConnectionPool, Redis
from redis.exceptions import RedisError, ResponseError

CONNECT_TIMEOUT_SECONDS = 5


class RedisUnavailable(Exception):
    """The test Redis could not be used; the message names the URL tried and the fix."""


def index_of(redis_url: str) -> int:
    """The database index a Redis URL names (0 when it names none)."""
    return int(ConnectionPool.from_url(redis_url).connection_kwargs.get("db") or 0)


def worker_url(base_url: str, worker: str) -> str:
    """``base_url`` for ``worker``: the same server, the base index plus the worker's number."""
    if worker == "master":
        return base_url
    index = index_of(base_url) + int(worker.removeprefix("gw"))
    server, _, query = base_url.partition("?")
    server = re.sub(r"(//[^/]*)(/\d*)?$", rf"\g<1>/{index}", server)
    return f"{server}?{query}" if query else server


def check(base_url: str, workers: int) -> None:
    """Raise ``RedisUnavailable`` unless the server answers and has an index for each of ``workers``."""
    prepare(worker_url(base_url, f"gw{max(workers - 1, 0)}"), empty=False)


def prepare(redis_url: str, *, empty: bool = True) -> str:
    """Check the index answers and (``empty``) delete every key in it; return the URL."""
    client = Redis.from_url(redis_url, socket_connect_timeout=CONNECT_TIMEOUT_SECONDS)
    try:
        client.ping()
        if empty:
            client.flushdb()
    except ResponseError as exc:
        raise RedisUnavailable(
            f"the test Redis at {_hidden(redis_url)} has no database {index_of(redis_url)} ({exc}): "
            "run fewer xdist workers (-n) or set TEST_REDIS_URL to a lower index"
        ) from exc
    except RedisError as exc:
        raise RedisUnavailable(
            f"cannot reach the test Redis at {_hidden(_server(redis_url))} ({exc}): "
            "start it with `docker compose up -d redis-test`, or set TEST_REDIS_URL"
        ) from exc
    finally:
        client.close()
    return redis_url


def discard(redis_url: str) -> None:
    """Delete every key the run left in its index."""
    with Redis.from_url(redis_url, socket_connect_timeout=CONNECT_TIMEOUT_SECONDS) as client:
        client.flushdb()


def _server(redis_url: str) -> str:
    """The URL without its database index: what cannot be reached is the server."""
    server, _, query = redis_url.partition("?")
    server = re.sub(r"(//[^/]*)/\d*$", r"\g<1>", server)
    return f"{server}?{query}" if query else server


def _hidden(redis_url: str) -> str:
    """The URL with its password (if any) masked."""
    return re.sub(r"(//[^:/@]*:)[^@/]*@", r"\1***@", redis_url)
