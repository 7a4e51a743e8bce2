"""Number formats of the reports area: Vietnamese thousands (1.500.000 ₫), whatever the locale settings say."""

from django import template

from leadpool.reports.tables import fmt

register = template.Library()


@register.filter
def vnd(value) -> str:
    return fmt(value, "vnd")


@register.filter
def thousands(value) -> str:
    return fmt(value, "int")
