"""The URL converter of content identifiers, registered once as `content_slug`."""

from django.urls import register_converter


class ContentSlugConverter:
    """A content file's identifier (`content_slug_validator`): nothing else reaches a query.

    (A NUL character in a slug would make PostgreSQL fail: such a path is simply a 404.)
    """

    regex = r"\w[\w.-]*"

    def to_python(self, value: str) -> str:
        return value

    def to_url(self, value: str) -> str:
        return value


register_converter(ContentSlugConverter, "content_slug")
