"""One process of the two-process rate test: fires concurrent checks at one shared key.

Run as ``python -m tests.gateway.limits.burst_worker URL PREFIX KEY COUNT PER_MINUTE BURST``.
It connects and opens ``COUNT`` connections, prints ``ready``, waits for a line on stdin
(so both processes fire together), fires ``COUNT`` checks at once and prints
``{"admitted": n, "degraded": m}``.
"""

from __future__ import annotations

import asyncio
import json
import sys

from velox_gateway.limits import RateLimiter
from velox_gateway.limits.rate import GCRA_SCRIPT

from tests.gateway.limits.clients import hot_client, warm


async def main(url: str, prefix: str, key: str, count: int, per_minute: int, burst: int) -> None:
    client = hot_client(url, connections=count + 8)
    try:
        await warm(client, count)
        await client.script_load(GCRA_SCRIPT)
        limiter = RateLimiter(client, prefix=prefix)
        print("ready", flush=True)
        await asyncio.to_thread(sys.stdin.readline)
        decisions = await asyncio.gather(
            *(limiter.check(key, per_minute=per_minute, burst=burst) for _ in range(count))
        )
    finally:
        await client.aclose()
    admitted = sum(d.allowed for d in decisions)
    degraded = sum(d.degraded for d in decisions)
    print(json.dumps({"admitted": admitted, "degraded": degraded}), flush=True)


if __name__ == "__main__":
    url, prefix, key, count, per_minute, burst = sys.argv[1:7]
    asyncio.run(main(url, prefix, key, int(count), int(per_minute), int(burst)))
