"""The content's Markdown (descriptions, bios) turned into HTML that is safe to show.

The files mix Markdown with raw HTML (`<a target="_blank">`, `<br>`, `<img>`, sometimes worse),
so the HTML markdown-it produces is sanitised by nh3 with a short list of tags and
attributes: scripts, styles, iframes, event handlers and `javascript:` URLs never pass.

Images (Markdown's and raw `<img>`) and embedded frames become links to what they show: the
content points to other sites, which the site's Content Security Policy does not let the
browser load. Addresses written for beta.gouv.fr (`/img/…`) that this site does not serve
point there. Raw headings are shifted as the Markdown ones are; headings and links left empty
by the authors or the sanitiser are dropped.
"""

from __future__ import annotations

import re
from html import unescape as unescape_html
from urllib.parse import urlsplit

import nh3
from django.urls import Resolver404, resolve
from django.utils.safestring import SafeString, mark_safe
from markdown_it import MarkdownIt
from markdown_it.common.utils import escapeHtml

from startups.models import BETAGOUV_SITE

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
ALLOWED_ATTRIBUTES = {
    "a": {"href", "title", "hreflang"},
    "abbr": {"title"},
    "ol": {"start"},
    "th": {"scope"},
}
URL_SCHEMES = {"http", "https", "mailto", "tel"}
RAW_HEADING = re.compile(r"<(/?)h([1-6])\b", re.IGNORECASE)
RAW_IMAGE = re.compile(r"<img\b([^>]*)>", re.IGNORECASE)
RAW_FRAME = re.compile(r"<iframe\b([^>]*)>(?:.*?</iframe\s*>)?", re.IGNORECASE | re.DOTALL)
EMPTY_LINK = re.compile(r"<a\b[^>]*>\s*</a>")
LINK_WITHOUT_TARGET = re.compile(r'<a(?: href="")?(?: rel="[^"]*")?>(.*?)</a>', re.DOTALL)
EMPTY_HEADING = re.compile(r"<h([1-6])>\s*</h\1>")


def beta_gouv_address(url: str) -> str:
    """`/img/x.png` → `https://beta.gouv.fr/img/x.png`: a path the content wrote for
    beta.gouv.fr, when this site has no such page (`/startups/x` stays here)."""
    if not url.startswith("/") or url.startswith("//"):
        return url
    path = urlsplit(url).path
    for candidate in (path, path + "/"):
        try:
            resolve(candidate)
        except Resolver404:
            continue
        return url
    return BETAGOUV_SITE + url


def _attribute(attributes: str, name: str) -> str:
    """The value of `name` in a raw tag's attributes (quoted or not), HTML-unescaped."""
    found = re.search(rf"""\b{name}\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s>]+))""", attributes, re.I)
    return unescape_html("".join(part or "" for part in found.groups())) if found else ""


def _link_to(url: str, kind: str, name: str) -> str:
    """A link standing for an image or a frame: named by its text, else by its file."""
    url = beta_gouv_address(url.strip())
    if not url:
        return ""
    name = name.strip() or urlsplit(url).path.rstrip("/").rsplit("/", 1)[-1] or url
    return f'<a href="{escapeHtml(url)}">{escapeHtml(f"{kind} : {name}")}</a>'


def _render_image(self, tokens, idx, options, env) -> str:
    token = tokens[idx]
    alt = self.renderInlineAsText(token.children or [], options, env)
    return _link_to(token.attrGet("src") or "", "Image", alt)


def _raw_media_as_links(html: str) -> str:
    html = RAW_IMAGE.sub(
        lambda tag: _link_to(_attribute(tag[1], "src"), "Image", _attribute(tag[1], "alt")), html
    )
    return RAW_FRAME.sub(
        lambda tag: _link_to(
            _attribute(tag[1], "src"), "Contenu intégré", _attribute(tag[1], "title")
        ),
        html,
    )


def _without_empty_elements(html: str) -> str:
    html = LINK_WITHOUT_TARGET.sub(r"\1", EMPTY_LINK.sub("", html))
    return EMPTY_HEADING.sub("", html)


_parser = MarkdownIt("commonmark", {"html": True}).enable(["table", "strikethrough"])
_parser.add_render_rule("image", _render_image)


def render_markdown(text: str, top_heading: int = 3) -> SafeString:
    """`text` as sanitised HTML, its headings shifted so that the highest is `h{top_heading}`.

    (A description sits under the page's own `h1` and `h2`: its `#` and `##` must not compete
    with them.)
    """
    tokens = _parser.parse(text or "")
    every = _flattened(tokens)
    raw = [token for token in every if token.type in ("html_block", "html_inline")]
    levels = [int(token.tag[1]) for token in tokens if token.type == "heading_open"]
    levels += [int(level) for token in raw for _, level in RAW_HEADING.findall(token.content)]
    shift = top_heading - min(levels) if levels else 0

    def shifted(level: str) -> str:
        return f"h{min(int(level) + shift, 6)}"

    def shifted_tag(tag: re.Match) -> str:
        return f"<{tag[1]}{shifted(tag[2])}"

    for token in every:
        if token.type in ("heading_open", "heading_close"):
            token.tag = shifted(token.tag[1])
        elif token.type in ("html_block", "html_inline"):
            token.content = RAW_HEADING.sub(shifted_tag, token.content)
        elif token.type == "th_open":
            token.attrSet("scope", "col")
        elif token.type == "link_open":
            token.attrSet("href", beta_gouv_address(token.attrGet("href") or ""))
    html = _raw_media_as_links(_parser.renderer.render(tokens, _parser.options, {}))
    cleaned = nh3.clean(
        html,
        tags=ALLOWED_TAGS | {f"h{level}" for level in range(top_heading, 3)},
        clean_content_tags={"script", "style", "iframe", "object", "embed", "template"},
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes=URL_SCHEMES,
        link_rel="noopener noreferrer",
    )
    # Safe: sanitised just above.
    return mark_safe(_without_empty_elements(cleaned))


def _flattened(tokens: list) -> list:
    """Every token, those inside inline tokens (raw inline HTML) included."""
    return [found for token in tokens for found in (token, *(token.children or []))]
