"""E-mail through Django's mail backend (SMTP in production, locmem in tests), with List-Unsubscribe headers."""

from django.core.mail import EmailMessage
from django.core.mail.message import make_msgid

from .. import config
from ..content import Content
from .base import Result


class EmailProvider:
    name = "django-mail"

    def send(self, to: str, content: Content) -> Result:
        message_id = make_msgid(domain="leadpool")
        headers = {**content.headers, "Message-ID": message_id}
        message = EmailMessage(content.subject, content.text, config.email_from(), [to], headers=headers)
        try:
            message.send(fail_silently=False)
        except (ConnectionError, TimeoutError) as exc:
            return Result.failed(f"{type(exc).__name__}: {exc}", retryable=True)
        except Exception as exc:  # smtplib refusals (bad address...) will not change by waiting
            retry = exc.__class__.__name__ in {"SMTPServerDisconnected", "SMTPConnectError"}
            return Result.failed(f"{type(exc).__name__}: {exc}", retryable=retry)
        return Result.sent(message_id.strip("<>"))
