"""Which Supabase key the code shows, by the name it is read from or by its value: one
rule for every language, so a Python worker and a TypeScript route that read the same
variable are judged alike."""

from __future__ import annotations

import base64
import binascii
import json

MAX_JWT = 4096
"""Longer strings are not decoded as tokens (a hostile file's giant literal)."""


def by_name(name: str) -> str:
    """`SUPABASE_SERVICE_ROLE_KEY`, `SUPABASE_SECRET_KEY`, `SERVICE_KEY` → service;
    `…ANON_KEY`, `…PUBLISHABLE_KEY` → public; anything else unknown."""
    upper = name.upper()
    if "SERVICE_ROLE" in upper or "SECRET" in upper or "SERVICE_KEY" in upper:
        return "service"
    if "ANON" in upper or "PUBLISHABLE" in upper:
        return "public"
    return "unknown"


def by_value(value: str) -> str:
    """A key written into the code: the new-style prefixes, or a legacy JWT's role claim."""
    if value.startswith("sb_secret_"):
        return "service"
    if value.startswith("sb_publishable_"):
        return "public"
    parts = value.split(".")
    if len(parts) == 3 and value.startswith("eyJ") and len(value) < MAX_JWT:
        try:
            payload = parts[1] + "=" * (-len(parts[1]) % 4)
            claims = json.loads(base64.urlsafe_b64decode(payload.encode("ascii")))
        except (ValueError, binascii.Error, UnicodeError):
            return "unknown"
        role = claims.get("role") if isinstance(claims, dict) else None
        if role == "service_role":
            return "service"
        if role == "anon":
            return "public"
    return "unknown"
