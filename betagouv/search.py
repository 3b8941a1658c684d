"""Accent- and case-insensitive text search that works the same on SQLite and PostgreSQL.

Each searchable model stores `search_text`, its searchable fields folded (lower case, no
accents), kept up to date by `save()` and by the bulk writers; a query is folded the same way
and every word of it must appear.
"""

from __future__ import annotations

import re
import unicodedata

from django.db import models
from django.db.models.functions import Left

MAX_QUERY_WORDS = 10
MAX_WORD_LENGTH = 50
# How much of `search_text` sorts by name (`name_key`): the whole folded name but for the
# very longest (a name has at most 300 characters; the name as written breaks such ties),
# little enough for a database index (PostgreSQL refuses B-tree entries over 2.7 kB).
NAME_KEY_LENGTH = 300


# Combining diacritical marks (what NFKD splits accents into) and control characters.
UNWANTED = re.compile(
    r"[\u0300-\u036f\u1ab0-\u1aff\u1dc0-\u1dff\u20d0-\u20ff\ufe20-\ufe2f\x00-\x1f\x7f]"
)


def fold(text: str) -> str:
    """`Éducation` → `education`: case-folded, accents and control characters removed."""
    return UNWANTED.sub("", unicodedata.normalize("NFKD", text)).casefold()


# Between the fields of `search_text`: below any character of a folded text (fold removes
# control characters), so that by name « Mes Aides » comes before « Mes aides à
# l’embauche », whatever follows each name. A query's words never hold it.
FIELD_SEPARATOR = "\n"


def search_text(*values: object) -> str:
    """The `search_text` of these field values: each folded, in order."""
    return FIELD_SEPARATOR.join(fold(str(value or "")) for value in values)


def query_words(query: str) -> list[str]:
    """The folded words of a user's query, bounded so that hostile input stays cheap."""
    return [word[:MAX_WORD_LENGTH] for word in fold(query).split()[:MAX_QUERY_WORDS]]


def name_key() -> Left:
    """The sort key of « by name » for a searchable model: accents and case ignored, as a
    French reader expects (« Écobalyse » among the E, not after Z as byte order puts it).

    `search_text` begins with the name folded (the name is the first of `search_fields`);
    its beginning alone is the key, so that an index can hold it: a startup's `search_text`
    goes on with its whole description.
    """
    return Left("search_text", NAME_KEY_LENGTH)


class SearchQuerySet(models.QuerySet):
    def search(self, query: str) -> models.QuerySet:
        """Rows whose searchable text contains every word of `query` (all rows for no words)."""
        queryset = self
        for word in query_words(query):
            queryset = queryset.filter(search_text__contains=word)
        return queryset


class Searchable(models.Model):
    """A model found by `SearchQuerySet.search()`; `search_fields` name what is searched."""

    search_text = models.TextField(editable=False, default="")

    search_fields: tuple[str, ...] = ()

    class Meta:
        abstract = True

    def save(self, *args, **kwargs) -> None:
        self.search_text = self.build_search_text()
        update_fields = kwargs.get("update_fields")
        if update_fields is not None and set(update_fields) & set(self.search_fields):
            kwargs["update_fields"] = {*update_fields, "search_text"}
        super().save(*args, **kwargs)

    def build_search_text(self) -> str:
        return search_text(*(getattr(self, field) for field in self.search_fields))
