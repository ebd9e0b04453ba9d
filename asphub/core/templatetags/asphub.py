from urllib.parse import urlencode

from django import template
from django.urls import translate_url
from django.utils.translation import gettext as _

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
    """An audit entry's before or after state as `key: value` lines in the reader's language
    (keys and role codes translated; other values as recorded)."""
    from asphub.core.audit import STAND_IN_LABELS, VALUE_LABELS
    from asphub.roles.models import Role

    if not values:
        return ""
    if not isinstance(values, dict):
        return str(values)
    lines = []
    for key, value in values.items():
        if value is None or value == []:
            shown = "—"
        elif key == "role" and value in Role.values:
            shown = str(Role(value).label)
        elif key == "via" and value == "invitation":
            shown = str(_("by invitation"))
        elif isinstance(value, str) and value in STAND_IN_LABELS:
            shown = str(STAND_IN_LABELS[value])
        else:
            shown = str(value)
        lines.append(f"{VALUE_LABELS.get(key, key)}: {shown}")
    return "\n".join(lines)
