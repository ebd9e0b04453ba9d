"""Work the library leaves to the task worker: reading the text of attached files, so that
search finds what is written inside them. Bounded in size and time by the extractor; a file
that cannot be read is indexed by its name alone."""

from __future__ import annotations

import logging

from django.db import transaction
from django.utils import timezone
from django_tasks import task

from asphub.core.text_extraction import extract_text

from .indexing import index_practice
from .models import Practice, PracticeFile

logger = logging.getLogger(__name__)

# More than a long book; the rest of a file adds nothing a search would need.
MAX_EXTRACTED_CHARS = 200_000
EXTRACTION_SECONDS = 20.0


@task()
def extract_file_text(file_id: int) -> int:
    """Extract the text of one attached file and bring its item's search entry up to date.
    Returns the number of characters kept."""
    file = PracticeFile.objects.filter(pk=file_id).first()
    if file is None or file.practice_id is None:
        return 0
    try:
        with file.file.open("rb") as opened:
            content = opened.read()
    except OSError:
        logger.warning("Attached file %s could not be read", file_id)
        return 0
    text = extract_text(
        content, file.kind, max_chars=MAX_EXTRACTED_CHARS, time_limit_seconds=EXTRACTION_SECONDS
    )
    with transaction.atomic():
        updated = PracticeFile.objects.filter(pk=file_id).update(
            extracted_text=text, extracted_at=timezone.now()
        )
        if updated:
            practice = (
                Practice.objects.select_for_update(of=("self",)).filter(files__pk=file_id).first()
            )
            if practice is not None:
                index_practice(practice)
    return len(text)
