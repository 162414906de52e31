"""Guessing which column is which from the header texts hotline centers use."""

from __future__ import annotations

import re

from .choices import FIELDS

_SPACE = re.compile(r"[\s\u3000*＊:：()（）]+")


def _plain(text) -> str:
    return _SPACE.sub("", str(text or "")).lower()


def guess_mapping(headers) -> dict[str, str]:
    """{field: header} for the fields whose column can be recognised; each column used once.

    Exact names win over containment ("联系电话" before a "电话" inside "联系电话备注"),
    and fields are served in order of their guesses' specificity.
    """
    plain = {header: _plain(header) for header in headers if header}
    taken: set[str] = set()
    mapping: dict[str, str] = {}
    for exact in (True, False):
        for field in FIELDS:
            if field.key in mapping:
                continue
            for guess in field.guesses:
                guess = _plain(guess)
                found = next(
                    (h for h, p in plain.items() if h not in taken and (p == guess if exact else guess in p)), None
                )
                if found is not None:
                    mapping[field.key] = found
                    taken.add(found)
                    break
    return mapping
