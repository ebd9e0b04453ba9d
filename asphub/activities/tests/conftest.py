"""The activities' tests share the in-memory private storage of the whole run: each starts with
no stored photos, so that a test can tell exactly what it stored and removed."""

import pytest

from asphub.activities.models import ActivityPhoto


def stored_photo_files() -> list[str]:
    """Every file in the photos' storage (the test storage is in memory)."""
    storage = ActivityPhoto.image.field.storage
    found: list[str] = []
    folders = ["activity-photos", "test"]
    while folders:
        folder = folders.pop()
        if not storage.exists(folder):
            continue
        subfolders, files = storage.listdir(folder)
        found += [f"{folder}/{name}" for name in files]
        folders += [f"{folder}/{name}" for name in subfolders]
    return sorted(found)


@pytest.fixture(autouse=True)
def no_stored_photos():
    storage = ActivityPhoto.image.field.storage
    for name in stored_photo_files():
        storage.delete(name)
