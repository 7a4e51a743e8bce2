"""A load generator in its own process: POST at a fixed rate on loopback, print latencies as JSON.

Open loop: each request is sent at its scheduled time by a pool of threads, so a slow answer does not
hide the ones queued behind it. The client is the standard library's http.client: the load generator shares the
two cores with the server it measures, and httpx cost about 3.5 ms of CPU per request here (http.client < 1 ms).
Gunicorn's sync workers close every connection, so each request opens its own, as the platforms' do.
"""

import hashlib
import hmac
import http.client
import json
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from urllib.parse import urlsplit

# Facebook page webhooks (kinds "messenger" and "comment"): the token argument is "app secret:page id".
MESSAGES = ["Cho em xin giá căn 2PN ạ, sđt {phone}", "Dự án bàn giao khi nào vậy shop?", "zalo {phone} nhé",
            "Còn căn góc không ạ 😍", "Em ở Q7, gọi {phone} sau 5h chiều giúp em"]


def page_event(kind: str, i: int, page_id: str, phone: str) -> dict:
    text = MESSAGES[i % len(MESSAGES)].format(phone=phone)
    now_ms = int(time.time() * 1000)
    if kind == "messenger":
        # Messenger Platform: entry[].messaging[] with sender, recipient, timestamp and message {mid, text}.
        event = {"sender": {"id": f"7{i:09d}"}, "recipient": {"id": page_id}, "timestamp": now_ms,
                 "message": {"mid": f"m_bench_{page_id}_{i}", "text": text}}
        return {"object": "page", "entry": [{"id": page_id, "time": now_ms, "messaging": [event]}]}
    # Page feed: changes[].field == "feed", value.item == "comment".
    post_id = f"{page_id}_{100 + i % 7}"
    value = {"from": {"id": f"8{i:09d}", "name": f"Khách {i}"}, "post": {"id": post_id, "status_type": "added_photos",
             "is_published": True, "permalink_url": f"https://www.facebook.com/{page_id}/posts/{100 + i % 7}"},
             "message": text, "post_id": post_id, "comment_id": f"{page_id}{100 + i % 7}_{i}", "created_time": now_ms // 1000,
             "item": "comment", "parent_id": post_id, "verb": "add"}
    return {"object": "page", "entry": [{"id": page_id, "time": now_ms, "changes": [{"field": "feed", "value": value}]}]}


def main() -> None:
    url, rate, count, kind, token = sys.argv[1], float(sys.argv[2]), int(sys.argv[3]), sys.argv[4], sys.argv[5]
    api = kind.startswith("api")  # "api", or "api-warm" to warm the workers up with the same requests
    # Each run its own numbers, so one run's people do not come back as returning customers in the next.
    prefix = {"api": "91", "webhook": "92", "api-half": "94"}.get(kind, "93")
    start = time.perf_counter() + 0.2
    where = urlsplit(url)
    auth = {"Authorization": f"Bearer {token}"} if api else {}

    def post(body: bytes, headers: dict) -> int:
        conn = http.client.HTTPConnection(where.hostname, where.port, timeout=10)
        try:
            conn.request("POST", where.path, body=body, headers={**auth, **headers})
            response = conn.getresponse()
            response.read()
            return response.status
        finally:
            conn.close()

    def one(i: int):
        target = start + i / rate
        delay = target - time.perf_counter()
        if delay > 0:
            time.sleep(delay)
        nsn = f"{prefix}{(i * 7919) % 10_000_000:07d}"
        if kind in ("messenger", "comment"):
            secret, page_id = token.split(":", 1)
            raw = json.dumps(page_event(kind, i, page_id, f"0{nsn}"), ensure_ascii=False).encode()
            # Signed like Meta: HMAC-SHA256 of the raw body with the app secret.
            signature = "sha256=" + hmac.new(secret.encode(), raw, hashlib.sha256).hexdigest()
            headers = {"Content-Type": "application/json", "X-Hub-Signature-256": signature}
        else:
            body = {"name": f"Khách {i}", "phone": f"0{nsn}", "external_id": f"bench-{kind}-{i}"} if api else \
                {"ho_ten": f"Khách {i}", "so_dien_thoai": f"0{nsn}", "id": f"bench-{kind}-{i}"}
            raw = json.dumps(body, ensure_ascii=False).encode()
            headers = {"Content-Type": "application/json"}
        sent = time.perf_counter()
        try:
            status = post(raw, headers)
        except (OSError, http.client.HTTPException):
            status = 0
        return (time.perf_counter() - sent) * 1000, status, sent - target

    with ThreadPoolExecutor(max_workers=32) as pool:
        results = list(pool.map(one, range(count)))
    wall = time.perf_counter() - start
    print(json.dumps({"latencies_ms": [r[0] for r in results], "statuses": [r[1] for r in results], "wall": wall,
                      "late_ms": max(r[2] for r in results) * 1000}))


if __name__ == "__main__":
    main()
