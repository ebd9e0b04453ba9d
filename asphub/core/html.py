"""Cleaning HTML written by coordinators, and Markdown written by teachers: structure and links
stay, scripts and styles go."""

import nh3
from django.utils.safestring import SafeString
from markdown_it import MarkdownIt

ALLOWED_TAGS = {
    "p", "br", "h2", "h3", "h4", "ul", "ol", "li", "a", "strong", "em", "b", "i",
    "blockquote", "abbr", "dl", "dt", "dd", "table", "thead", "tbody", "tr", "th", "td",
}  # fmt: skip
ALLOWED_ATTRIBUTES = {"a": {"href", "title", "hreflang"}, "abbr": {"title"}, "th": {"scope"}}


def sanitize_html(html: str) -> str:
    return nh3.clean(
        html or "",
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes={"http", "https", "mailto"},
        link_rel="noopener noreferrer",
    )


MARKDOWN_TAGS = ALLOWED_TAGS | {"pre", "code", "hr", "s", "del"}
# CommonMark with tables and strikethrough; raw HTML in the text is shown as text ("html":
# False), and nh3 then removes whatever a link could still carry (javascript:, data:).
_markdown = MarkdownIt("commonmark", {"html": False, "linkify": False}).enable(
    ["table", "strikethrough"]
)


def render_markdown(text: str) -> SafeString:
    """Markdown as clean HTML, safe to put in a page as it is (nh3 has cleaned it)."""
    html = _markdown.render(text or "")
    html = html.replace("<h1>", "<h2>").replace("</h1>", "</h2>")
    return SafeString(
        nh3.clean(
            html,
            tags=MARKDOWN_TAGS,
            attributes=ALLOWED_ATTRIBUTES,
            url_schemes={"http", "https", "mailto"},
            link_rel="noopener noreferrer nofollow",
        )
    )
