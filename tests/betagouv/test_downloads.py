import pytest

from betagouv.downloads import spreadsheet_safe


@pytest.mark.parametrize(
    ("value", "cell"),
    [
        ('=HYPERLINK("https://example.org")', '\'=HYPERLINK("https://example.org")'),
        ("+33 1 23 45 67 89", "'+33 1 23 45 67 89"),
        ("-1+2", "'-1+2"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\tcmd", "'\tcmd"),
        ("Aides Jeunes", "Aides Jeunes"),
        ("", ""),
        (-3, -3),
        (2.5, 2.5),
    ],
)
def test_a_formula_is_shown_as_text_and_everything_else_is_left_alone(value, cell):
    assert spreadsheet_safe(value) == cell
