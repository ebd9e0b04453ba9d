"""Where uploaded files go. Public images (logos, photos) use the default storage, served
under MEDIA_URL; private files (applicants' letters, certificates from UNESCO) the "private"
one, which nothing serves: a view that checks permission sends them."""

from django.core.files.storage import Storage, storages


def private_storage() -> Storage:
    # A callable, so that migrations do not record the storage and tests can swap it.
    return storages["private"]
