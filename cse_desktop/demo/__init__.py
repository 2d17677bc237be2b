"""Synthetic, obviously fictional demo data (no real people, no store access)."""

from cse_desktop.demo.synthetic import (
    SyntheticChild,
    SyntheticEpisode,
    generate_caseload,
    generate_notes,
)

__all__ = ["SyntheticChild", "SyntheticEpisode", "generate_caseload", "generate_notes"]
