"""VIN intelligence benchmark: offline decodes, a 100,000-VIN bulk job, cached single
decodes through the gateway, and package identification accuracy.

- Offline decodes per second on one core: ``Decoder.decode`` (the vPIC snapshot in bitset
  indexes, every index built first) over ``BENCH_VIN_DECODES`` distinct VINs of 25 makes,
  against the peer, the ``vin`` package's ``VIN(...)`` (regular expressions over SQLite),
  on ``BENCH_VIN_PEER_DECODES`` of the same VINs, in the same run; the ratio is printed.
- The stack: ``python -m velox_devstack run`` (what ``make run`` runs) in a fresh database,
  with the loopback vPIC it starts, and one ``vin:enterprise`` account.
- Bulk job: a CSV of ``BENCH_VIN_JOB_ROWS`` VINs (100,000 by default, 1% duplicates, 1%
  with a wrong check digit) posted to ``POST /v1/vin/jobs`` through the gateway, offline
  (``VIN_INTEL_JOB_ENRICH=false``); the figure is the time from the upload until the whole
  CSV result has been downloaded.
- Cached single decode: ``GET /v1/vin/{vin}`` through the gateway for VINs already in the
  vPIC cache, ``BENCH_VIN_GATEWAY_REQUESTS`` requests from 16 keep-alive connections;
  p50 and p95.
- Package identification: precision and recall per OEM on the labelled evaluation set
  (``bench.vin_packages``).

Aims (issue 5): at least 20,000 offline decodes/s, the bulk job under 30 s, p95 under
20 ms. ``BENCH_STRICT=1`` exits 1 when one is missed. ``DATABASE_URL`` (an admin URL) and
``REDIS_URL`` select servers; without them embedded ones start in a temporary folder.
Results go to ``bench/results/vin.json``.
"""

from __future__ import annotations

import asyncio
import gc
import json
import logging
import os
import random
import secrets
import tempfile
import time
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import httpx
from redis.asyncio import Redis
from velox_billing.config import PLANS_FILE
from velox_shared.contracts.plans import load_catalog
from velox_shared.identity import IDENTITY_HEADER, Identity, IdentitySigner
from velox_vin_intel.decoding.decoder import Decoder
from velox_vin_intel.decoding.rules import check_digit
from velox_vin_intel.decoding.snapshot import Snapshot

from bench.common import (
    describe_servers,
    env_number,
    percentile,
    scratch_database,
    server_versions,
    servers,
    write_results,
)
from bench.gateway import Stack, _drive, clean_redis, load_clients, velox_cli

RESULTS = Path(__file__).resolve().parent / "results" / "vin.json"
TARGET_DECODES_PER_S = 20_000.0
TARGET_JOB_S = 30.0
TARGET_P95_MS = 20.0
JOB_TIMEOUT = 600.0
CONCURRENCY = 16
CACHED_VIN = "5FNYF5H59HB011946"  # recorded in the loopback vPIC that make run starts

# First eleven characters (position 9 is recomputed) of real VINs of 25 makes.
PREFIXES = (
    "5YJ3E1EA0KF", "1FTEW1EP0JF", "WBA8E9G50GN", "WDDWF4KB0FR", "1N4AL3AP0JC",
    "5NPE34AF0FH", "3VW2B7AJ0HM", "1C4RJFBG0KC", "JM1BL1SF0A1", "1G1ZD5ST0JF",
    "2T3P1RFV0KW", "19XFC2F50GE", "5FNYF5H50HB", "KNDCE3LG0L5", "SALGS2SE0LA",
    "YV4A22PK0J1", "ZFF67NFA0A0", "3GCUKREC0JG", "1FA6P8TH0J5", "5TDJZRFH0KS",
    "JF2SKAEC0KH", "4S4BSANC0J3", "KMHD84LF0JU", "1GNSKCKC0FR", "JTDKN3DU0A0",
)  # fmt: skip


@dataclass(frozen=True)
class Settings:
    decodes: int
    peer_decodes: int
    job_rows: int
    gateway_requests: int
    strict: bool

    @classmethod
    def from_env(cls) -> Settings:
        return cls(
            decodes=env_number("BENCH_VIN_DECODES", 200_000),
            peer_decodes=env_number("BENCH_VIN_PEER_DECODES", 2_000),
            job_rows=env_number("BENCH_VIN_JOB_ROWS", 100_000),
            gateway_requests=env_number("BENCH_VIN_GATEWAY_REQUESTS", 5_000),
            strict=os.environ.get("BENCH_STRICT", "0") == "1",
        )


def make_vins(count: int, seed: int = 5) -> list[str]:
    """``count`` distinct VINs with correct check digits: real prefixes, random serials."""
    rng = random.Random(seed)
    seen: set[str] = set()
    out: list[str] = []
    while len(out) < count:
        prefix = PREFIXES[len(out) % len(PREFIXES)]
        body = f"{prefix}{rng.randrange(1_000_000):06d}"
        vin = body[:8] + check_digit(body) + body[9:]
        if vin not in seen:
            seen.add(vin)
            out.append(vin)
    return out


def offline_decodes(s: Settings) -> dict[str, Any]:
    """Decodes per second of ours and of the ``vin`` package on the same VINs, one core."""
    from vin import VIN  # the peer; imported here so its SQLite opens only for this part

    snapshot = Snapshot()
    started = time.perf_counter()
    snapshot.warm()
    warm_s = time.perf_counter() - started
    decoder = Decoder(snapshot)
    vins = make_vins(s.decodes)
    gc.collect()
    cpu, wall = time.process_time(), time.perf_counter()
    decoded = [decoder.decode(v) for v in vins]
    cpu, wall = time.process_time() - cpu, time.perf_counter() - wall
    assert all(d.valid and d.make for d in decoded), "a benchmark VIN did not decode"
    peer_vins = vins[: s.peer_decodes]
    peer_cpu = time.process_time()
    for v in peer_vins:
        VIN(v)
    peer_cpu = time.process_time() - peer_cpu
    ours = len(vins) / cpu
    peer = len(peer_vins) / peer_cpu
    return {
        "vins": len(vins),
        "index_build_s": round(warm_s, 2),
        "decodes_per_s": round(ours),
        "decodes_per_s_wall": round(len(vins) / wall),
        "peer": "vin (PyPI) VIN()",
        "peer_decodes": len(peer_vins),
        "peer_decodes_per_s": round(peer),
        "ratio": round(ours / peer, 1),
    }


def write_plans(folder: Path) -> str:
    """The shipped catalogue with ``vin:enterprise`` limited only by the machine (a rate
    limit would otherwise answer most of the load with 429s)."""
    data: dict[str, Any] = json.loads(load_catalog(str(PLANS_FILE)).model_dump_json())
    data["families"]["vin"]["tiers"]["enterprise"].update(
        rate_per_minute=10_000_000, burst=1_000_000
    )
    path = folder / "plans.json"
    path.write_text(json.dumps(data))
    return str(path)


def job_csv(rows: int) -> tuple[bytes, int]:
    """A fleet file: ``rows`` VINs, 1% repeated, 1% with a wrong check digit."""
    distinct = make_vins(rows - rows // 100, seed=11)
    lines = ["stock_no,vin"]
    for i, vin in enumerate(distinct):
        if i % 100 == 1:
            wrong = "0" if vin[8] != "0" else "1"
            vin = vin[:8] + wrong + vin[9:]
        lines.append(f"S{i},{vin}")
    lines += [f"D{i},{distinct[i * 37 % len(distinct)]}" for i in range(rows - len(distinct))]
    return ("\n".join(lines) + "\n").encode(), len(set(distinct))


async def bulk_job(client: httpx.AsyncClient, headers: dict[str, str], rows: int) -> dict[str, Any]:
    """Upload, poll and download one job; seconds from the upload to the last byte."""
    data, distinct = job_csv(rows)
    started = time.perf_counter()
    created = await client.post(
        "/v1/vin/jobs", files={"file": ("fleet.csv", data, "text/csv")}, headers=headers
    )
    if created.status_code != 202:
        raise RuntimeError(f"upload: {created.status_code} {created.text[:300]}")
    accepted = time.perf_counter() - started
    url = f"/v1/vin/jobs/{created.json()['id']}"
    job: dict[str, Any] = {}
    while time.perf_counter() - started < JOB_TIMEOUT:
        job = (await client.get(url, headers=headers)).json()
        if job["status"] in ("succeeded", "failed", "cancelled"):
            break
        await asyncio.sleep(0.1)
    finished = time.perf_counter() - started
    if job.get("status") != "succeeded":
        raise RuntimeError(f"bulk job did not succeed: {job}")
    lines = 0
    async with client.stream("GET", f"{url}/result", headers=headers) as result:
        async for chunk in result.aiter_bytes():
            lines += chunk.count(b"\n")
    total = time.perf_counter() - started
    if lines != rows + 1:
        raise RuntimeError(f"result has {lines} lines for {rows} rows")
    return {
        "rows": rows,
        "distinct_vins": distinct,
        "upload_answered_s": round(accepted, 2),
        "decoded_s": round(finished, 2),
        "end_to_end_s": round(total, 2),
        "progress": job["progress"],
    }


async def cached_decodes(stack: Stack, headers: dict[str, str], requests: int) -> dict[str, Any]:
    """``GET /v1/vin/{vin}`` at concurrency 16, the vPIC answer cached: through the gateway,
    then straight to vin-intel's port with the identity token the gateway would send."""
    path = f"/v1/vin/{CACHED_VIN}"
    async with httpx.AsyncClient(timeout=30) as client:
        warm = (await client.get(stack.gateway + path, headers=headers)).json()
        again = (await client.get(stack.gateway + path, headers=headers)).json()
    if (warm["enrichment"], again["enrichment"]) != ("vpic", "cache"):
        raise RuntimeError(f"expected a vPIC answer, then the cache: {warm['enrichment']}")
    gateway = await _load(stack.gateway + path, headers, requests)
    identity = Identity(
        account_id="acc_bench_direct",
        principal_id="key_bench",
        plan="vin:enterprise",
        scopes=("*",),
    )
    signer = IdentitySigner(stack.gateway_env()["VELOX_IDENTITY_PRIVATE_KEY"])
    token = {IDENTITY_HEADER: signer.sign(identity, audience="vin-intel")}
    direct = await _load(stack.url("vin-intel") + path, token, requests)
    return {
        "concurrency": CONCURRENCY,
        "gateway": gateway,
        "direct": direct,
        "gateway_rps_share_of_direct": round(gateway["rps"] / direct["rps"], 2),
    }


async def _load(url: str, headers: dict[str, str], requests: int) -> dict[str, Any]:
    async with load_clients("raw", url, CONCURRENCY) as gets:
        await _drive(gets, lambda: headers, 500)
        started = time.perf_counter()
        latencies, statuses, sample = await _drive(gets, lambda: headers, requests)
        seconds = time.perf_counter() - started
    if set(statuses) != {200}:
        raise RuntimeError(f"cached decodes: {dict(statuses)} {sample!r}")
    values = sorted(s * 1000 for s in latencies)
    return {
        "requests": requests,
        "rps": round(requests / seconds, 1),
        "p50_ms": round(percentile(values, 50), 2),
        "p95_ms": round(percentile(values, 95), 2),
        "p99_ms": round(percentile(values, 99), 2),
    }


async def on_the_stack(s: Settings, admin_url: str, redis_url: str, suffix: str) -> dict[str, Any]:
    """Start ``make run``'s stack in a scratch database; run the bulk job and the load."""
    name, prefix = f"bench_vin_{suffix}", f"bvn{suffix}_"
    async with scratch_database(admin_url, name, prefix) as db_url:
        with tempfile.TemporaryDirectory(prefix="velox-bench-vin-") as tmp:
            home = Path(tmp)
            env = {
                "DATABASE_URL": db_url,
                "REDIS_URL": redis_url,
                "VELOX_DB_ROLE_PREFIX": prefix,
                "BILLING_PLANS_FILE": write_plans(home),
                "VIN_INTEL_JOB_ENRICH": "false",
                "VIN_INTEL_JOB_POLL_SECONDS": "0.2",
                "VIN_INTEL_VPIC_CACHE_PREFIX": f"bench:vin:{suffix}:",
                "LOG_LEVEL": "WARNING",
            }
            stack = Stack(home, env)
            try:
                await stack.start()
                made = await velox_cli(
                    stack.gateway_env(), "accounts", "create", "--name", f"bench-vin-{suffix}",
                    "--plan", "vin:enterprise",
                )  # fmt: skip
                headers = {"X-API-Key": made["api_key"]}
                async with httpx.AsyncClient(base_url=stack.gateway, timeout=120) as client:
                    job = await bulk_job(client, headers, s.job_rows)
                cached = await cached_decodes(stack, headers, s.gateway_requests)
                return {"account_id": made["account_id"], "bulk_job": job, "cached": cached}
            finally:
                await stack.stop()


async def main() -> int:
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s %(message)s")
    s = Settings.from_env()
    suffix = secrets.token_hex(4)
    offline = offline_decodes(s)
    async with servers() as srv:
        versions = await server_versions(srv.admin_url, srv.redis_url)
        redis = Redis.from_url(srv.redis_url)
        try:
            figures = await on_the_stack(s, srv.admin_url, srv.redis_url, suffix)
            keys = [k async for k in redis.scan_iter(match=f"bench:vin:{suffix}:*")]
            await clean_redis(redis, {}, set(), [figures["account_id"]], [_text(k) for k in keys])
        finally:
            await redis.aclose()
    job, cached = figures["bulk_job"], figures["cached"]
    targets = {
        "offline_decodes_at_least_20000_per_s": offline["decodes_per_s"] >= TARGET_DECODES_PER_S,
        "bulk_job_100k_under_30s": job["rows"] >= 100_000 and job["end_to_end_s"] < TARGET_JOB_S,
        "cached_decode_p95_under_20ms": cached["gateway"]["p95_ms"] < TARGET_P95_MS,
    }
    report = {
        "settings": asdict(s),
        "servers": {"embedded": srv.embedded, **versions, "cpus": os.cpu_count()},
        "offline": offline,
        "bulk_job": job,
        "cached_gateway_decode": cached,
        "targets": targets,
    }
    write_results(RESULTS, report)
    print(f"vin benchmark ({describe_servers(srv, versions)})")
    print(
        f"  offline decodes: {offline['decodes_per_s']:,}/s on one core (vin package: "
        f"{offline['peer_decodes_per_s']:,}/s, ratio {offline['ratio']}x; indexes built in "
        f"{offline['index_build_s']} s)"
    )
    print(
        f"  bulk job: {job['rows']:,} rows ({job['distinct_vins']:,} distinct) upload answered "
        f"in {job['upload_answered_s']} s, decoded in {job['decoded_s']} s, result downloaded "
        f"at {job['end_to_end_s']} s"
    )
    for way in ("gateway", "direct"):
        load = cached[way]
        print(
            f"  cached decode, {way} at {cached['concurrency']}: p50 {load['p50_ms']} ms, "
            f"p95 {load['p95_ms']} ms, p99 {load['p99_ms']} ms, {load['rps']}/s"
        )
    print(f"  gateway throughput / direct: {cached['gateway_rps_share_of_direct']}")
    for name, met in targets.items():
        print(f"  {'met' if met else 'MISSED'}: {name}")
    print(f"  results: {RESULTS}")
    return 1 if s.strict and not all(targets.values()) else 0


def _text(value: bytes | str) -> str:
    return value.decode() if isinstance(value, bytes) else value


if __name__ == "__main__":
    raise SystemExit(asyncio.run(main()))
