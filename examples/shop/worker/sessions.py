"""WhatsApp 24-hour windows: nudge visitors before a window closes, close the
expired ones (the database's pg_cron job does the same every 5 minutes; this is
the fallback for projects without pg_cron)."""

from __future__ import annotations

import os
from datetime import datetime, timedelta, timezone

from supabase import create_client

supabase = create_client(os.environ["SUPABASE_URL"], os.environ["SUPABASE_SERVICE_ROLE_KEY"])

SESSIONS = "whatsapp_sessions"


def closing_soon(minutes: int = 30) -> list[dict]:
    horizon = (datetime.now(timezone.utc) + timedelta(minutes=minutes)).isoformat()
    return (
        supabase.table("whatsapp_sessions")
        .select("id, customer_id, phone_number, expires_at")
        .eq("active", True)
        .lte("expires_at", horizon)
        .execute()
        .data
    )


def close_expired() -> int:
    now = datetime.now(timezone.utc).isoformat()
    closed = (
        supabase.table(SESSIONS)
        .update({"active": False})
        .eq("active", True)
        .lt("window_expires_at", now)
        .execute()
    )
    return len(closed.data)
