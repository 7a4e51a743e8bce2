"""Fanpage comments (the page `feed` field) arriving on the page webhook.

deliveries(entry, config) -> [(idempotency key, meta with meta["kind"] == "comment")] for one webhook entry;
handle(item) -> the answer stored on the inbox item. Not built yet: comments are ignored for now.
"""


def deliveries(entry: dict, config) -> list[tuple[str, dict]]:
    return []


def handle(item) -> dict:
    return {"ignored": "Bình luận chưa được hỗ trợ (not built yet)."}
