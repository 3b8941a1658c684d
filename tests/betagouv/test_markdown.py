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


def test_raw_headings_are_shifted_as_the_markdown_ones():
    # « boris » wrote its sections as raw <h2>: they were stripped and ran into the text.
    html = render_markdown("<h2>2,4 millions</h2>\n\nTexte\n\n### Détail", top_heading=3)
    assert "<h3>2,4 millions</h3>" in html
    assert "<h4>Détail</h4>" in html


def test_paths_of_beta_gouv_fr_point_there_and_this_sites_stay():
    html = render_markdown(
        "![](/img/netlifycms/envergo.jpg) [Approche](/approche) [Boris](/startups/boris) "
        "[plus bas](#detail)"
    )
    assert (
        '<a href="https://beta.gouv.fr/img/netlifycms/envergo.jpg" rel="noopener noreferrer">'
        "Image : envergo.jpg</a>" in html
    )
    assert '<a href="https://beta.gouv.fr/approche" rel="noopener noreferrer">' in html
    assert '<a href="/startups/boris/" rel="noopener noreferrer">' in html
    assert '<a href="#detail" rel="noopener noreferrer">' in html


def test_relative_links_lead_where_they_led_on_beta_gouv_fr():
    # beta.gouv.fr's /startups/notifications-v1.html linked `notifications-v2`, its sibling.
    html = render_markdown(
        "[v2](notifications-v2) [v3](./v3?onglet=1#haut) [v0](notifications-v0.html) "
        "[approche](../approche) [ici](?a=1) [bas](#bas) [mail](mailto:a@b.fr) "
        '<a href="../membres/jean.dupont">Jean</a> ![schéma](../img/schema.png)',
        page="/startups/notifications-v1/",
    )
    assert '<a href="/startups/notifications-v2/" rel="noopener noreferrer">v2</a>' in html
    assert '<a href="/startups/v3/?onglet=1#haut" rel="noopener noreferrer">' in html
    assert '<a href="/startups/notifications-v0/" rel="noopener noreferrer">v0</a>' in html
    assert '<a href="https://beta.gouv.fr/approche" rel="noopener noreferrer">' in html
    assert '<a href="?a=1" rel="noopener noreferrer">' in html
    assert '<a href="#bas" rel="noopener noreferrer">' in html
    assert '<a href="mailto:a@b.fr" rel="noopener noreferrer">' in html
    assert '<a href="/membres/jean.dupont/" rel="noopener noreferrer">Jean</a>' in html
    assert '<a href="https://beta.gouv.fr/img/schema.png" rel="noopener noreferrer">' in html


def test_relative_links_stay_relative_without_a_page():
    assert '<a href="notifications-v2" rel="noopener noreferrer">' in render_markdown(
        "[v2](notifications-v2)"
    )


def test_raw_images_and_frames_become_named_links():
    html = render_markdown(
        '<p><img src="/img/rest/equipe.png" alt="L&#39;équipe"> <img src=https://x.fr/b.jpg>'
        '<img alt="sans adresse"></p>\n\n'
        '<iframe src="https://www.youtube.com/embed/abc" title="Présentation"></iframe>'
    )
    assert (
        '<a href="https://beta.gouv.fr/img/rest/equipe.png" rel="noopener noreferrer">'
        "Image : L'équipe</a>" in html
    )
    assert '<a href="https://x.fr/b.jpg" rel="noopener noreferrer">Image : b.jpg</a>' in html
    assert "sans adresse" not in html
    assert (
        '<a href="https://www.youtube.com/embed/abc" rel="noopener noreferrer">'
        "Contenu intégré : Présentation</a>" in html
    )


def test_empty_headings_and_links_are_dropped_and_tables_have_column_headers():
    html = render_markdown(
        '### \n\n### [](https://x.fr)\n\n[vide]() et <a href="">brut</a>\n\n'
        "| Aide | Montant |\n|---|---|\n| A | 1 |"
    )
    assert "<h3>" not in html
    assert "<a" not in html.split("<table>")[0]
    assert "vide et brut" in html
    assert '<th scope="col">Aide</th>' in html


def test_raw_images_are_read_as_html_not_as_text():
    html = render_markdown(
        '<img alt="avant > après" src="https://ok.fr/x.png"> '
        '<img alt="voir src=/autre.png" data-src="/faux.png" src="https://ok.fr/y.png"> '
        '<img src="javascript:alert(1)" alt="piège"> ![](/img/%C3%A9quipe.png) '
        '<a href="/approche">brut</a>'
    )
    assert (
        '<a href="https://ok.fr/x.png" rel="noopener noreferrer">Image : avant &gt; après</a>'
        in (html)
    )
    assert "Image : voir src=/autre.png</a>" in html
    assert 'href="https://ok.fr/y.png"' in html
    assert "faux.png" not in html
    assert "piège" not in html
    assert "javascript" not in html
    assert ">Image : équipe.png</a>" in html
    assert '<a href="https://beta.gouv.fr/approche" rel="noopener noreferrer">brut</a>' in html


def test_headings_holding_only_blank_space_are_dropped():
    assert render_markdown("### &nbsp;\n\n### <br>\n\nTexte").strip() == "<p>Texte</p>"
