"""Logging helpers."""

from __future__ import annotations

import logging

# Answers that are the platform working as meant (a refusal, a missing page): worth a line in
# the log, not a traceback that reads like a crash.
EXPECTED_REFUSALS = {403, 404, 405, 410}


class RefusalsWithoutTraceback(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        if getattr(record, "status_code", None) in EXPECTED_REFUSALS:
            record.exc_info = None
            record.exc_text = None
        return True
