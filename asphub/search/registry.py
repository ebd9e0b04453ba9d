"""Which apps keep which kinds of documents in the index, and how each rebuilds its own.

The search app sits below the apps whose objects it indexes, so it cannot know them: each
registers its kind with a function that writes all of the kind's documents again (from its
AppConfig.ready()); `manage.py rebuild_search_index` calls them.
"""

from __future__ import annotations

from collections.abc import Callable

# kind -> function that indexes every object of the kind that may be found, returns the count
_rebuilders: dict[str, Callable[[], int]] = {}


def register_kind(kind: str, rebuild: Callable[[], int]) -> None:
    _rebuilders[kind] = rebuild


def registered_kinds() -> dict[str, Callable[[], int]]:
    return dict(_rebuilders)
