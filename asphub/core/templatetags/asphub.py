from functools import lru_cache
from urllib.parse import urlencode

from django import template
from django.core.signals import setting_changed
from django.dispatch import receiver
from django.urls import get_script_prefix, get_urlconf, translate_url

register = template.Library()


@register.simple_tag(takes_context=True)
def page_url(context, number: int) -> str:
    """The current list's query string with another page number."""
    query = context.get("query_string", "")
    page = urlencode({"page": number})
    return f"?{query}&{page}" if query else f"?{page}"


# The URL patterns' answer for a path depends on nothing else than these arguments; every page
# asks for its path in each language (the hreflang links and the language switch), and matching
# and reversing the patterns took a tenth of the page chrome's time. Bounded: paths come from
# visitors.
@lru_cache(maxsize=2048)
def _path_in_language(path: str, language: str, urlconf: str | None, script_prefix: str) -> str:
    return translate_url(path, language)


@register.simple_tag(takes_context=True)
def url_in_language(context, language: str) -> str:
    request = context["request"]
    # translate_url keeps the query string as it is: only the path is translated (and kept).
    path, separator, query = request.get_full_path().partition("?")
    urlconf = get_urlconf()
    if urlconf is not None and not isinstance(urlconf, str):  # a module: no key to keep it by
        return translate_url(request.get_full_path(), language)
    return _path_in_language(path, language, urlconf, get_script_prefix()) + separator + query


@receiver(setting_changed)
def _forget_paths(*, setting, **kwargs) -> None:
    if setting in ("ROOT_URLCONF", "LANGUAGES", "LANGUAGE_CODE"):
        _path_in_language.cache_clear()
