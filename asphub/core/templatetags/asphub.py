from urllib.parse import urlencode

from django import template
from django.urls import translate_url

register = template.Library()


@register.simple_tag(takes_context=True)
def page_url(context, number: int) -> str:
    """The current list's query string with another page number."""
    query = context.get("query_string", "")
    page = urlencode({"page": number})
    return f"?{query}&{page}" if query else f"?{page}"


@register.simple_tag(takes_context=True)
def url_in_language(context, language: str) -> str:
    request = context["request"]
    return translate_url(request.get_full_path(), language)


@register.filter
def audit_values(values) -> str:
    """An audit entry's before or after state as `key: value` pairs, one per line."""
    if not values:
        return ""
    if not isinstance(values, dict):
        return str(values)
    return "\n".join(f"{key}: {'—' if value is None else value}" for key, value in values.items())
