"""What a visitor does on a page, for tests that follow the site's links."""

import re
from urllib.parse import urljoin

from django.http import HttpResponse
from django.test import Client


def follow_link(client: Client, page: str, text: str) -> HttpResponse:
    """Open `page`, then the link named `text` on it, resolved as a browser resolves it."""
    link = rf'href="([^"]*)"[^>]*>{re.escape(text)}</a>'
    return client.get(urljoin(page, re.search(link, client.get(page).text)[1]))
