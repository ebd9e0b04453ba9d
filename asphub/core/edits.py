"""Saving a change to a stored row that several people may edit at once: the services lock the
row, then refuse a form that was opened on another revision of it than the one stored (someone
saved meanwhile), so that no one's work is overwritten without their seeing it."""

from __future__ import annotations

from typing import TypeVar

from django.core.exceptions import ValidationError
from django.db import models

Row = TypeVar("Row", bound=models.Model)


class StaleEdit(ValidationError):
    """Someone saved the object since this form was opened (or the form did not say which
    revision it was opened on). `current` is the revision stored now: a second save made
    against it, once the person has compared, goes through."""

    def __init__(self, message: str, *, current: int) -> None:
        super().__init__(message, code="stale")
        self.current = current


def refuse_stale(*, seen: int | None, current: int, message: str) -> None:
    """Raise StaleEdit unless the form was opened on the stored revision. A form that carries
    no revision at all is refused too: a missing token must not skip the check."""
    if seen is None or seen != current:
        raise StaleEdit(message, current=current)


def locked(row: Row, *select_related: str) -> Row:
    """The row read again under its lock (SELECT ... FOR UPDATE of its own table only), with
    `select_related` joined but not locked. Inside a transaction."""
    queryset = type(row)._default_manager.select_for_update(of=("self",))
    if select_related:
        queryset = queryset.select_related(*select_related)
    return queryset.get(pk=row.pk)
