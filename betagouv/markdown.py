"""The content's Markdown (descriptions, bios) turned into HTML that is safe to show.

The files mix Markdown with raw HTML (`<a target="_blank">`, `<br>`, `<img>`, sometimes worse),
so the HTML markdown-it produces is sanitised by nh3 with a short list of tags and
attributes: scripts, styles, iframes, event handlers and `javascript:` URLs never pass.

Images become links to the image: the content points to other sites, which the site's
Content Security Policy does not let the browser load.
"""

from __future__ import annotations

import nh3
from django.utils.safestring import SafeString, mark_safe
from markdown_it import MarkdownIt
from markdown_it.common.utils import escapeHtml

ALLOWED_TAGS = {
    "a",
    "abbr",
    "b",
    "blockquote",
    "br",
    "code",
    "del",
    "em",
    "h3",
    "h4",
    "h5",
    "h6",
    "hr",
    "i",
    "li",
    "ol",
    "p",
    "pre",
    "s",
    "strong",
    "sub",
    "sup",
    "table",
    "tbody",
    "td",
    "th",
    "thead",
    "tr",
    "ul",
}
ALLOWED_ATTRIBUTES = {"a": {"href", "title", "hreflang"}, "abbr": {"title"}, "ol": {"start"}}
URL_SCHEMES = {"http", "https", "mailto", "tel"}


def _render_image(self, tokens, idx, options, env) -> str:
    token = tokens[idx]
    alt = self.renderInlineAsText(token.children or [], options, env).strip()
    label = f"Image : {alt}" if alt else "Image"
    return f'<a href="{escapeHtml(token.attrGet("src") or "")}">{escapeHtml(label)}</a>'


_parser = MarkdownIt("commonmark", {"html": True}).enable(["table", "strikethrough"])
_parser.add_render_rule("image", _render_image)


def render_markdown(text: str, top_heading: int = 3) -> SafeString:
    """`text` as sanitised HTML, its headings shifted so that the highest is `h{top_heading}`.

    (A description sits under the page's own `h1` and `h2`: its `#` and `##` must not compete
    with them.)
    """
    tokens = _parser.parse(text or "")
    levels = [int(token.tag[1]) for token in tokens if token.type == "heading_open"]
    shift = top_heading - min(levels) if levels else 0
    for token in tokens:
        if token.type in ("heading_open", "heading_close"):
            token.tag = f"h{min(int(token.tag[1]) + shift, 6)}"
    html = _parser.renderer.render(tokens, _parser.options, {})
    # Safe: sanitised just here.
    return mark_safe(
        nh3.clean(
            html,
            # The headings from h{top_heading} on (a raw <h1> in the text stays out).
            tags=ALLOWED_TAGS | {f"h{level}" for level in range(top_heading, 3)},
            clean_content_tags={"script", "style", "iframe", "object", "embed", "template"},
            attributes=ALLOWED_ATTRIBUTES,
            url_schemes=URL_SCHEMES,
            link_rel="noopener noreferrer",
        )
    )
