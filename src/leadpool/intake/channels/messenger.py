"""Facebook Messenger (click-to-Messenger / inbox ads) events arriving on the page webhook.

deliveries(entry, config) -> [(idempotency key, meta with meta["kind"] == "message")] for one webhook entry;
handle(item) -> the answer stored on the inbox item. Not built yet: chats are ignored for now.
"""


def deliveries(entry: dict, config) -> list[tuple[str, dict]]:
    return []


def handle(item) -> dict:
    return {"ignored": "Messenger chưa được hỗ trợ (not built yet)."}
