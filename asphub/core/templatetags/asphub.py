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
