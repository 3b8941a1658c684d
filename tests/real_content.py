"""beta.gouv.fr's real content, for the tests that check the site against it.

The phase order is written out here, independently of `startups.models.PhaseSlug`, so that
these tests count from the files by a rule of their own rather than the code under test.
"""

from pathlib import Path

import pytest

REAL_CONTENT = Path(__file__).resolve().parents[2] / "shared" / "data" / "betagouv" / "content"
LIFECYCLE = [
    "investigation",
    "construction",
    "acceleration",
    "consolidation",
    "opere",
    "transfere",
    "abandon-investigation",
    "abandon",
]
skip_without_real_content = pytest.mark.skipif(
    not REAL_CONTENT.is_dir(),
    reason=f"beta.gouv.fr's real content is not at {REAL_CONTENT} (team machines only)",
)
needs_real_content = [pytest.mark.real_content, skip_without_real_content]
