from betagouv.markdown import render_markdown


def test_markdown_is_rendered_with_headings_under_the_page_headings():
    html = render_markdown(
        "# Titre\n\n## Sous-titre\n\nDu **gras** et une [page](https://beta.gouv.fr)."
    )
    assert "<h3>Titre</h3>" in html
    assert "<h4>Sous-titre</h4>" in html
    assert "<strong>gras</strong>" in html
    assert '<a href="https://beta.gouv.fr" rel="noopener noreferrer">page</a>' in html


def test_raw_html_of_the_content_is_sanitised():
    html = render_markdown(
        '<a href="https://x.fr" target="_blank" onclick="steal()">lien</a>'
        "<script>alert(1)</script><style>body{}</style><iframe src=x></iframe>"
        '<img src="x" onerror="alert(1)"><p style="color:red">texte</p>'
        '[js](javascript:alert(1)) <a href="javascript:alert(1)">x</a>'
    )
    for forbidden in (
        "<script",
        "alert(1)</",
        "onclick",
        "onerror",
        "target=",
        "<iframe",
        "<style",
        "style=",
        'javascript:alert(1)"',
    ):
        assert forbidden not in html, forbidden
    assert '<a href="https://x.fr" rel="noopener noreferrer">lien</a>' in html
    assert "texte" in html


def test_images_become_links_since_the_csp_blocks_other_sites():
    html = render_markdown("![Le logo](https://exemple.fr/logo.png)")
    assert "<img" not in html
    assert (
        '<a href="https://exemple.fr/logo.png" rel="noopener noreferrer">Image : Le logo</a>'
        in html
    )


def test_empty_text_gives_nothing():
    assert render_markdown("") == ""
