"""Parts of the public school profile that apps above this one contribute (the library's
published items, later the school's public activities).

The schools app sits below them and cannot import them: each registers, from its
AppConfig.ready(), a template and a function that reads what the template shows for one
school. Each function must issue a fixed number of queries, whatever the school holds.

A section may depend on who is looking (the school's attendance at network events, for its own
people and its national coordinator): registered with `register_viewer_profile_section`, its
function gets the viewer too and returns None when that viewer is not to see it. Such sections
are read for signed-in viewers only, so they are never part of a page kept for anonymous
visitors (asphub.schools.page_cache keeps pages only for visitors without a session)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class ProfileSection:
    template: str
    read: Callable[..., dict[str, Any] | None]
    position: int = 0
    for_viewer: bool = False


_sections: list[ProfileSection] = []


def register_profile_section(template: str, read: Callable[[Any], dict], position: int = 0):
    if not any(section.template == template for section in _sections):
        _sections.append(ProfileSection(template, read, position))
        _sections.sort(key=lambda section: section.position)


def register_viewer_profile_section(
    template: str, read: Callable[[Any, Any], dict | None], position: int = 0
):
    """A section whose `read(school, viewer)` decides what this viewer sees (None: nothing)."""
    if not any(section.template == template for section in _sections):
        _sections.append(ProfileSection(template, read, position, for_viewer=True))
        _sections.sort(key=lambda section: section.position)


def profile_sections(school, viewer: Any = None) -> list[tuple[str, dict[str, Any]]]:
    """Each registered section's template with what it shows for this school (and, for the
    sections that depend on it, for this signed-in viewer)."""
    signed_in = bool(getattr(viewer, "is_authenticated", False))
    shown = []
    for section in _sections:
        if not section.for_viewer:
            shown.append((section.template, section.read(school)))
        elif signed_in:
            data = section.read(school, viewer)
            if data is not None:
                shown.append((section.template, data))
    return shown
