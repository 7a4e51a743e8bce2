"""The reply form of a conversation."""

from django import forms
from django.utils.translation import gettext_lazy as _

# Messenger's Send API takes at most 2,000 characters of text per message; Zalo's CS message the same.
MAX_REPLY_CHARS = 2000


class ReplyForm(forms.Form):
    text = forms.CharField(
        label=_("Trả lời"), max_length=MAX_REPLY_CHARS, strip=True,
        widget=forms.Textarea(attrs={"rows": 2, "class": "form-control", "placeholder": _("Nhập tin nhắn gửi khách…")}),
    )
