from django.apps import AppConfig


class ConversationsConfig(AppConfig):
    """Chats with customers (Facebook Messenger, Zalo OA): threads on the customer page, replies sent out."""

    name = "leadpool.conversations"
    label = "conversations"
    verbose_name = "Hội thoại"
