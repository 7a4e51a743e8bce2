"""Provider adapters behind one interface: send(to, content) -> Result. One adapter per channel."""

from .base import Provider, Result


def for_channel(channel: str) -> Provider:
    """The configured adapter of a channel (e-mail through Django's mail, SMS through eSMS, ZNS through Zalo)."""
    if channel == "email":
        from .email import EmailProvider

        return EmailProvider()
    if channel == "sms":
        from .esms import EsmsProvider

        return EsmsProvider()
    if channel == "zns":
        from .zalo_zns import ZnsProvider

        return ZnsProvider()
    raise ValueError(channel)


__all__ = ["Provider", "Result", "for_channel"]
