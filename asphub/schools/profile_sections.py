"""Parts of the public school profile that apps above this one contribute (the library's
published items, later the school's public activities).

The schools app sits below them and cannot import them: each registers, from its
AppConfig.ready(), a template and a function that reads what the template shows for one
school. Each function must issue a fixed number of queries, whatever the school holds."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class ProfileSection:
    template: str
    read: Callable[[Any], dict[str, Any]]
    position: int = 0


_sections: list[ProfileSection] = []


def register_profile_section(template: str, read: Callable[[Any], dict], position: int = 0):
    if not any(section.template == template for section in _sections):
        _sections.append(ProfileSection(template, read, position))
        _sections.sort(key=lambda section: section.position)


def profile_sections(school) -> list[tuple[str, dict[str, Any]]]:
    """Each registered section's template with what it shows for this school."""
    return [(section.template, section.read(school)) for section in _sections]
