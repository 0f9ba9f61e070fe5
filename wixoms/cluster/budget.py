"""One Wix rate budget per app instance, shared by every process through Redis.

A token bucket kept in a Redis hash and updated by one Lua script (atomic, Redis's own clock),
with the plan's rate and burst (wixoms/wix/throughput.py: rate + burst ≤ 200, so no 60-second
window passes more than Wix's 200 requests per instance, whatever the number of processes).
It has the interface of ``wixoms.wix.transport.RateLimiter``.
"""

from __future__ import annotations

import time
from collections.abc import Callable

import redis

from wixoms.wix.throughput import ThroughputPlan
from wixoms.wix.transport import BlockingBucket

# KEYS[1]: the bucket. ARGV: rate per second, burst, "take" | "penalize" | "peek".
# Returns the seconds to wait (0 when a token was taken), as a string (Lua numbers → integers).
_SCRIPT = """
local t = redis.call('TIME')
local now = tonumber(t[1]) + tonumber(t[2]) / 1000000
local rate = tonumber(ARGV[1])
local burst = tonumber(ARGV[2])
local s = redis.call('HMGET', KEYS[1], 'tokens', 'ts')
local tokens = tonumber(s[1])
local ts = tonumber(s[2])
if tokens == nil or ts == nil then tokens = burst; ts = now end
tokens = math.min(burst, tokens + math.max(0, now - ts) * rate)
local wait = 0
if ARGV[3] == 'take' then
  if tokens >= 1 then tokens = tokens - 1 else wait = (1 - tokens) / rate end
elseif ARGV[3] == 'penalize' then
  tokens = math.min(tokens, 0)
end
redis.call('HSET', KEYS[1], 'tokens', tostring(tokens), 'ts', tostring(now))
redis.call('EXPIRE', KEYS[1], math.ceil(burst / rate) + 60)
return tostring(wait)
"""


class RedisRateLimiter(BlockingBucket):
    """A token bucket per Wix app instance in Redis: ``burst`` at once, then ``rate``/second."""

    def __init__(
        self,
        client: redis.Redis,
        key: str,
        plan: ThroughputPlan,
        *,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self._client = client
        self._script = client.register_script(_SCRIPT)
        self.key = key
        self.rate = plan.requests_per_second
        self.burst = plan.burst
        self._sleep = sleep

    def configure(self, rate_per_second: float, burst: int) -> None:
        self.rate, self.burst = rate_per_second, burst

    def _call(self, op: str) -> float:
        return float(self._script(keys=[self.key], args=[self.rate, self.burst, op]))

    def try_acquire(self) -> float:
        """Take a token if one is there (→ 0.0), else return the seconds to wait for one."""
        return self._call("take")

    def penalize(self) -> None:
        """Empty the bucket after a 429: every process of the cluster slows down."""
        self._call("penalize")


def budget_key(prefix: str, instance_id: str) -> str:
    return f"{prefix}wix:budget:{instance_id}"
