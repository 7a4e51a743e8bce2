"""Fanpage comments (the page `feed` field) arriving on the page webhook.

deliveries(entry, config) -> one inbox item per comment change of the entry (meta["kind"] == "comment");
handle(item) keeps the comment for marketing and makes it a lead when it carries a phone number. Where the page
asks for it, a comment with a number is hidden on the page by a background task, so competitors cannot read it.
"""

from __future__ import annotations

import hashlib
import logging

import httpx
from django.tasks import task
from django.utils import timezone

from leadpool.customers.models import CapturePoint
from leadpool.intake import connections
from leadpool.intake.models import ChannelConfig, PageComment
from leadpool.intake.phones_in_text import find_phones
from leadpool.intake.process import Malformed
from leadpool.worker import enqueue_on_commit

from .common import capture_answer, from_timestamp, lead_input

logger = logging.getLogger("leadpool.intake.page_feed")

ADDED = {"add"}
EDITED = {"edited", "edit"}
REMOVED = {"remove", "delete"}


def _key(value: dict, verb: str) -> str:
    comment_id = str(value.get("comment_id"))
    if verb in ADDED or verb in REMOVED:
        return f"comment:{comment_id}:{verb}"
    # A comment can be edited many times: each text is its own event, the same text re-delivered is not.
    digest = hashlib.sha256(str(value.get("message", "")).encode()).hexdigest()[:24]
    return f"comment:{comment_id}:{verb}:{digest}"


def deliveries(entry: dict, config) -> list[tuple[str, dict]]:
    page_id = str(entry.get("id", ""))
    out = []
    for change in entry.get("changes") or []:
        if not isinstance(change, dict) or change.get("field") != "feed":
            continue
        value = change.get("value")
        if not isinstance(value, dict):
            continue
        if value.get("item") != "comment" or not value.get("comment_id"):
            continue  # reactions, posts, shares: nothing a person wrote to us
        verb = str(value.get("verb") or "add")
        meta = {"kind": "comment", "page_id": page_id, "verb": verb, "comment": value}
        author = str((value.get("from") or {}).get("id") or "")
        if author and author == page_id:
            # The page's own replies often carry its hotline: never a lead.
            meta["ignored"] = "bình luận của chính trang (page's own comment)"
        elif verb not in ADDED | EDITED | REMOVED:
            meta["ignored"] = f"thao tác {verb} trên bình luận không cần xử lý"
        out.append((_key(value, verb), meta))
    return out


def page_config(page_id: str, fallback) -> ChannelConfig | None:
    """The connection of the page the comment is on (one app may post every page's events to one URL)."""
    return connections.facebook_page(page_id, fallback)


def _post_id(value: dict) -> str:
    return str(value.get("post_id") or (value.get("post") or {}).get("id") or "")


def _update_from(comment: PageComment, value: dict, verb: str) -> None:
    post = value.get("post") or {}
    author = value.get("from") or {}
    comment.post_id = _post_id(value) or comment.post_id
    comment.post_url = str(post.get("permalink_url") or comment.post_url)[:500]
    comment.parent_id = str(value.get("parent_id") or comment.parent_id)
    comment.from_id = str(author.get("id") or comment.from_id)
    comment.from_name = str(author.get("name") or comment.from_name)[:160]
    if "message" in value:
        comment.message = str(value.get("message") or "")
    comment.phones = find_phones(comment.message)
    comment.has_phone = bool(comment.phones)
    if verb in EDITED:
        comment.edited_at = timezone.now()


def _lead_answers(comment: PageComment, value: dict) -> dict:
    answers = {"comment": comment.message, "comment_id": comment.comment_id, "post_id": comment.post_id}
    if comment.post_url:
        answers["post_url"] = comment.post_url
    if comment.parent_id and comment.parent_id != comment.post_id:
        answers["reply_to"] = comment.parent_id
    if comment.from_id:
        answers["facebook_user_id"] = comment.from_id
    promotion = (value.get("post") or {}).get("promotion_status")
    if promotion:
        answers["post_promotion"] = str(promotion)
    return answers


def _capture(item, comment: PageComment, value: dict, config) -> dict:
    campaigns = (config.ad_campaigns or {}) if config is not None else {}
    ad_id = str(value.get("ad_id") or "")
    data = lead_input(
        item,
        name=comment.from_name,
        phones=list(comment.phones),
        answers=_lead_answers(comment, value),
        note=comment.message,
        external_id=comment.comment_id,
        ad_id=ad_id,
        # An ad's comments carry the ad's post: the page's ad → campaign map may name either.
        campaign=str(campaigns.get(ad_id) or campaigns.get(comment.post_id) or ""),
        capture_point=CapturePoint.COMMENT,
        received_at=comment.created_at,
        raw_payload={"comment": value},
    )
    return capture_answer(data)


def handle(item) -> dict:
    value = item.meta.get("comment")
    if not isinstance(value, dict) or not value.get("comment_id"):
        raise Malformed("Thiếu comment_id (no comment id in the feed change).")
    verb = item.meta.get("verb") or "add"
    page_id = str(item.meta.get("page_id") or "")
    config = page_config(page_id, item.config)
    if config is not None and config.pk != getattr(item.config, "pk", None):
        item.config = config
    comment_id = str(value["comment_id"])
    comment = PageComment.objects.select_for_update().filter(comment_id=comment_id).first()
    if comment is None:
        comment = PageComment(
            comment_id=comment_id, page_id=page_id, config=config, inbox_item=item,
            created_at=from_timestamp(value.get("created_time")) or item.received_at,
        )
    answer = {"comment_id": comment_id}
    if verb in REMOVED:
        comment.removed_at = comment.removed_at or timezone.now()
        comment.save()
        return {**answer, "removed": True}
    _update_from(comment, value, verb)
    comment.save()
    if not comment.has_phone:
        return {**answer, "kept": True, "lead_id": comment.lead_id}
    if comment.lead_id is None:
        answer.update(_capture(item, comment, value, config))
        comment.lead_id = answer["lead_id"]
        comment.save(update_fields=["lead"])
    else:
        answer["lead_id"] = comment.lead_id
    if config is not None and config.hide_comments_with_phone and comment.hidden_at is None:
        enqueue_on_commit(hide_comment, comment.pk)
        answer["hiding"] = True
    return answer


class _Retry(Exception):
    pass


def _hide_on_page(comment: PageComment, token: str) -> None:
    """POST /{comment-id} is_hidden=true. _Retry on passing trouble, RuntimeError when it cannot work."""
    from .facebook import TRANSIENT_CODES, graph_url

    try:
        response = httpx.post(
            f"{graph_url()}/{comment.comment_id}", data={"is_hidden": "true", "access_token": token}, timeout=10
        )
    except httpx.TransportError as exc:
        raise _Retry(f"Không kết nối được Graph API: {exc}") from exc
    try:
        body = response.json()
    except ValueError:
        body = {}
    if response.status_code == 200 and body.get("success", True):
        return
    error = body.get("error") or {}
    message = f"Graph API {response.status_code}: {error.get('message') or response.text[:200]}"
    if response.status_code >= 500 or response.status_code == 429 or error.get("code") in TRANSIENT_CODES:
        raise _Retry(message)
    raise RuntimeError(message)


@task()
def hide_comment(comment_id: int) -> str:
    """Hide one comment on the page, retrying with back-off while Meta is unreachable."""
    from .facebook import MAX_ATTEMPTS, backoff

    comment = PageComment.objects.select_related("config").get(pk=comment_id)
    if comment.hidden_at or comment.removed_at:
        return "done"
    config = page_config(comment.page_id, comment.config)
    comment.hide_attempts += 1
    try:
        if config is None or not config.access_token:
            raise RuntimeError(f"Chưa có page access token cho trang {comment.page_id or '?'} (no page access token).")
        _hide_on_page(comment, config.access_token)
    except _Retry as exc:
        comment.hide_error = str(exc)[:300]
        comment.save(update_fields=["hide_attempts", "hide_error"])
        if comment.hide_attempts >= MAX_ATTEMPTS:
            return "failed"
        hide_comment.using(run_after=timezone.now() + backoff(comment.hide_attempts)).enqueue(comment_id)
        return "retry"
    except RuntimeError as exc:
        logger.warning("comment %s not hidden: %s", comment.comment_id, exc)
        comment.hide_error = str(exc)[:300]
        comment.save(update_fields=["hide_attempts", "hide_error"])
        return "failed"
    comment.hidden_at = timezone.now()
    comment.hide_error = ""
    comment.save(update_fields=["hide_attempts", "hide_error", "hidden_at"])
    return "hidden"
