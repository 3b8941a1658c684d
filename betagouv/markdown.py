"""The content's Markdown (descriptions, bios) turned into HTML that is safe to show.

The files mix Markdown with raw HTML (`<a target="_blank">`, `<br>`, `<img>`, sometimes worse),
so the HTML markdown-it produces is sanitised by nh3 with a short list of tags and
attributes: scripts, styles, iframes, event handlers and `javascript:` URLs never pass.

Images (Markdown's and raw `<img>`) and embedded frames become links to what they show: the
content points to other sites, which the site's Content Security Policy does not let the
browser load. Addresses written for beta.gouv.fr (`/img/…`) that this site does not serve
point there; relative links lead where they led there. Raw headings are shifted as the
Markdown ones are; headings and links left empty by the authors or the sanitiser are dropped.
"""

from __future__ import annotations

import re
from html import unescape as unescape_html
from urllib.parse import unquote, urljoin, urlsplit

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
# Read on markup nh3 made regular: attributes double-quoted, `"`, `<` and `>` escaped in them.
IMAGE = re.compile(r"<img\b([^>]*)>")
FRAME = re.compile(r"<iframe\b([^>]*)>.*?</iframe>", re.DOTALL)
ATTRIBUTE = re.compile(r'\s([a-z]+)="([^"]*)"')
LINK_TARGET = re.compile(r'(<a\s[^>]*?\bhref=")([^"]*)(")')
EMPTY_LINK = re.compile(r"<a\b[^>]*>\s*</a>")
LINK_WITHOUT_TARGET = re.compile(r'<a(?: href="")?(?: rel="[^"]*")?>(.*?)</a>', re.DOTALL)
EMPTY_HEADING = re.compile(r"<h([1-6])>(?:\s|&nbsp;|<br>)*</h\1>")
CLEANED_CONTENT = {"script", "style", "iframe", "object", "embed", "template"}


def content_address(url: str, page: str) -> str:
    """Where a link of the content leads from the page at path `page` here.

    A relative link was written for beta.gouv.fr, where that page was a file beside the others
    of its kind (`/startups/notifications-v1.html` for `/startups/notifications-v1/`): it is
    resolved from there (`notifications-v2` is `/startups/notifications-v2`), then taken as
    any path of the content (`beta_gouv_address`). Other links are left as they are.
    """
    parts = urlsplit(url)
    relative = not (parts.scheme or parts.netloc or url.startswith(("/", "#", "?")))
    if url and relative and page:
        url = urljoin(page.rstrip("/") + ".html", url)
    return beta_gouv_address(url)


def beta_gouv_address(url: str) -> str:
    """`/img/x.png` → `https://beta.gouv.fr/img/x.png`: a path the content wrote for
    beta.gouv.fr, when this site has no such page. A page of this site stays here, written
    as its address is, without a redirect (`/startups/x` and beta.gouv.fr's file of that
    page, `/startups/x.html`, → `/startups/x/`)."""
    if not url.startswith("/") or url.startswith("//"):
        return url
    parts = urlsplit(url)
    page = parts.path.removesuffix(".html")
    for candidate in (page, page + "/"):
        try:
            resolve(candidate)
        except Resolver404:
            continue
        return parts._replace(path=candidate).geturl()
    return BETAGOUV_SITE + url


def _link_to(url: str, kind: str, name: str) -> str:
    """A link standing for an image or a frame: named by its text, else by its file."""
    url = url.strip()
    if not url:
        return ""
    name = name.strip() or unquote(urlsplit(url).path.rstrip("/").rsplit("/", 1)[-1]) or url
    return f'<a href="{escapeHtml(url)}">{escapeHtml(f"{kind} : {name}")}</a>'


def _render_image(self, tokens, idx, options, env) -> str:
    token = tokens[idx]
    alt = self.renderInlineAsText(token.children or [], options, env)
    return _link_to(token.attrGet("src") or "", "Image", alt)


def _media_as_links(regular: str) -> str:
    """Raw images and frames of regular markup as links (`_link_to`)."""

    def link(kind: str, name_attribute: str):
        def replace(tag: re.Match) -> str:
            attributes = {name: unescape_html(value) for name, value in ATTRIBUTE.findall(tag[1])}
            return _link_to(attributes.get("src", ""), kind, attributes.get(name_attribute, ""))

        return replace

    regular = IMAGE.sub(link("Image", "alt"), regular)
    return FRAME.sub(link("Contenu intégré", "title"), regular)


def _content_targets(regular: str, page: str) -> str:
    """Every link of regular markup where it leads from `page` (`content_address`): relative
    ones as on beta.gouv.fr, paths this site does not serve to beta.gouv.fr; raw `<a>` as
    Markdown's."""

    def replace(link: re.Match) -> str:
        target = content_address(unescape_html(link[2]), page)
        return f"{link[1]}{escapeHtml(target)}{link[3]}"

    return LINK_TARGET.sub(replace, regular)


def _without_empty_elements(html: str) -> str:
    html = LINK_WITHOUT_TARGET.sub(r"\1", EMPTY_LINK.sub("", html))
    return EMPTY_HEADING.sub("", html)


_parser = MarkdownIt("commonmark", {"html": True}).enable(["table", "strikethrough"])
_parser.add_render_rule("image", _render_image)


def render_markdown(text: str, top_heading: int = 3, page: str = "") -> SafeString:
    """`text` as sanitised HTML, its headings shifted so that the highest is `h{top_heading}`,
    its relative links resolved from the path of the page showing it (`content_address`;
    left relative without one).

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
    html = _parser.renderer.render(tokens, _parser.options, {})
    tags = ALLOWED_TAGS | {f"h{level}" for level in range(top_heading, 3)}
    # Made regular first, images and frames kept with their address and name only, so that
    # they become links reliably; then sanitised with the final rules.
    regular = nh3.clean(
        html,
        tags=tags | {"img", "iframe"},
        clean_content_tags=CLEANED_CONTENT - {"iframe"},
        attributes={**ALLOWED_ATTRIBUTES, "img": {"src", "alt"}, "iframe": {"src", "title"}},
        url_schemes=URL_SCHEMES,
        link_rel=None,
    )
    cleaned = nh3.clean(
        _content_targets(_media_as_links(regular), page),
        tags=tags,
        clean_content_tags=CLEANED_CONTENT,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes=URL_SCHEMES,
        link_rel="noopener noreferrer",
    )
    # Safe: sanitised just above.
    return mark_safe(_without_empty_elements(cleaned))


def _flattened(tokens: list) -> list:
    """Every token, those inside inline tokens (raw inline HTML) included."""
    return [found for token in tokens for found in (token, *(token.children or []))]
