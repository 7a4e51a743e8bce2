"""Phone normalization throughput: the first step of every lead and import row."""

import random
import time


def _samples(n: int) -> list[str]:
    rng = random.Random(7)
    prefixes = ["090", "091", "093", "098", "032", "038", "070", "083", "0168", "0126"]
    out = []
    for _ in range(n):
        p = rng.choice(prefixes)
        length = 11 if p.startswith("01") else 10
        digits = p + "".join(str(rng.randrange(10)) for _ in range(length - len(p)))
        style = rng.randrange(4)
        out.append([digits, "+84" + digits[1:], f"{digits[:4]} {digits[4:7]} {digits[7:]}", digits.replace("", ".")[1:-1]][style])
    return out


def run(ctx) -> list[dict]:
    from leadpool.customers.normalize import normalize_phone

    n = 50_000 if ctx.quick else 500_000
    samples = _samples(n)
    started = time.perf_counter()
    valid = sum(1 for s in samples if normalize_phone(s).ok)
    took = time.perf_counter() - started
    rate = n / took
    return [
        {
            "name": f"normalize_phone over {n:,} mixed writings",
            "value": rate,
            "unit": "numbers/s",
            "target": "≥ 20,000/s (the import budget)",
            "ok": rate >= 20_000,
            "note": f"{valid:,} valid",
        },
    ]
