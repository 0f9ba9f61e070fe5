"""Logs never carry secrets: webhook URL tokens, signed instances, OAuth codes and tokens.

A log record factory (process-wide) redacts every record when it is made, so the app's own
logs, werkzeug's and gunicorn's access log (``--access-logfile``) are all covered, including
the tracebacks of exceptions.
"""

from __future__ import annotations

import logging
import re

REDACTED = "[redacted]"
SECRET_PARAMS = "instance|token|code|state|access_token|refresh_token|client_secret"
SECRET_KEYS = "access_token|refresh_token|client_secret|instance|code|authorization"
PATTERNS = (
    # /hooks/<token>: the token is the endpoint's only secret (its deliveries list is not).
    (re.compile(r"(/hooks/)(?!endpoints/|events/)[^/\s?#\"']{8,}"), r"\1" + REDACTED),
    (re.compile(rf"(\b(?:{SECRET_PARAMS})=)[^&\s\"'#]+", re.IGNORECASE), r"\1" + REDACTED),
    # The same in a URL-encoded ?next= (the login redirect carries the callback's query).
    (
        re.compile(
            rf"((?:[?&]|%3F|%26)(?:{SECRET_PARAMS})%3D)[^&\s\"'#%]*(?:%(?!26)[0-9A-F]{{2}}[^&\s\"'#%]*)*",
            re.IGNORECASE,
        ),
        r"\1" + REDACTED,
    ),
    (
        re.compile(rf"([\"'](?:{SECRET_KEYS})[\"']\s*:\s*[\"'])[^\"']+", re.IGNORECASE),
        r"\1" + REDACTED,
    ),
    (
        re.compile(r"(Authorization\s*[:=]\s*)(?:Bearer\s+)?[^\s\"',;}]+", re.IGNORECASE),
        r"\1" + REDACTED,
    ),  # fmt: skip
)


def redact(text: str) -> str:
    """``text`` with every secret the patterns know replaced by [redacted]."""
    for pattern, replacement in PATTERNS:
        text = pattern.sub(replacement, text)
    return text


def _redacting(make_record):
    def factory(*args, **kwargs) -> logging.LogRecord:
        record = make_record(*args, **kwargs)
        try:
            message = record.getMessage()
        except Exception:  # a malformed record fails where logging reports it, not here
            return record
        clean = redact(message)
        if clean != message:
            record.msg, record.args = clean, None
        if record.exc_info and not record.exc_text:
            record.exc_text = redact(logging.Formatter().formatException(record.exc_info))
        return record

    factory.redacts = True
    return factory


def install_redaction() -> None:
    """Make every log record of this process redacted (once, whatever the number of apps)."""
    current = logging.getLogRecordFactory()
    if not getattr(current, "redacts", False):
        logging.setLogRecordFactory(_redacting(current))
