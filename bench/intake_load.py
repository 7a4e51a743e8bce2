"""A load generator in its own process: POST at a fixed rate on loopback, print latencies as JSON.

Open loop: each request is sent at its scheduled time by a pool of threads, so a slow answer does not
hide the ones queued behind it.
"""

import json
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor

import httpx


def main() -> None:
    url, rate, count, kind, token = sys.argv[1], float(sys.argv[2]), int(sys.argv[3]), sys.argv[4], sys.argv[5]
    local = threading.local()
    start = time.perf_counter() + 0.2

    def client() -> httpx.Client:
        if not hasattr(local, "client"):
            local.client = httpx.Client(timeout=10, headers={"Authorization": f"Bearer {token}"} if kind == "api" else {})
        return local.client

    def one(i: int):
        target = start + i / rate
        delay = target - time.perf_counter()
        if delay > 0:
            time.sleep(delay)
        nsn = f"91{(i * 7919) % 10_000_000:07d}"
        body = {"name": f"Khách {i}", "phone": f"0{nsn}", "external_id": f"bench-{kind}-{i}"} if kind == "api" else \
            {"ho_ten": f"Khách {i}", "so_dien_thoai": f"0{nsn}", "id": f"bench-{kind}-{i}"}
        sent = time.perf_counter()
        try:
            status = client().post(url, json=body).status_code
        except httpx.HTTPError:
            status = 0
        return (time.perf_counter() - sent) * 1000, status, sent - target

    with ThreadPoolExecutor(max_workers=32) as pool:
        results = list(pool.map(one, range(count)))
    wall = time.perf_counter() - start
    print(json.dumps({"latencies_ms": [r[0] for r in results], "statuses": [r[1] for r in results], "wall": wall,
                      "late_ms": max(r[2] for r in results) * 1000}))


if __name__ == "__main__":
    main()
