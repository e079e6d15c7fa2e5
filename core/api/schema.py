"""OpenAPI post-processing, so the committed schema does not depend on the database.

Django gives integer fields the range of the database column as validators, so the
same model reads `maximum: 32767` on PostgreSQL and `9223372036854775807` on SQLite.
Those are storage limits, not API rules: drop them (business limits such as
`max_value=10_000_000` stay).
"""

from __future__ import annotations

from typing import Any

BACKEND_MAXIMA = {32767, 2147483647, 9223372036854775807}
BACKEND_MINIMA = {-32768, -2147483648, -9223372036854775808}


def _strip(node: Any) -> None:
    if isinstance(node, dict):
        if node.get("type") == "integer":
            if node.get("maximum") in BACKEND_MAXIMA:
                del node["maximum"]
                if node.get("format") == "int64":
                    del node["format"]
            if node.get("minimum") in BACKEND_MINIMA:
                del node["minimum"]
        for value in node.values():
            _strip(value)
    elif isinstance(node, list):
        for value in node:
            _strip(value)


def strip_backend_integer_limits(
    result: dict, generator: Any, request: Any, public: bool
) -> dict:
    _strip(result)
    return result
