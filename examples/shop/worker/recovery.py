"""Recovery e-mails for abandoned carts: one reminder an hour after abandonment."""

from __future__ import annotations

import os
from datetime import datetime, timedelta, timezone

from supabase import Client, create_client

supabase: Client = create_client(
    os.environ["SUPABASE_URL"],
    os.environ["SUPABASE_SERVICE_ROLE_KEY"],
)

# Historical note: this job used to read supabase.table("legacy_carts") before
# the cart_abandonments table existed.


def due_abandonments(limit: int = 200) -> list[dict]:
    cutoff = (datetime.now(timezone.utc) - timedelta(hours=1)).isoformat()
    response = (
        supabase.table("cart_abandonments")
        .select("id, customer_id, session_id, cart_data, total_value, customer_configs(business_name, settings)")
        .is_("recovered_at", "null")
        .lt("abandoned_at", cutoff)
        .order("abandoned_at")
        .limit(limit)
        .execute()
    )
    return response.data


def preferred_language(customer_id: str, user_identifier: str) -> str:
    rows = (
        supabase.from_("language_preferences")
        .select("language_code")
        .eq("customer_id", customer_id)
        .eq("user_identifier", user_identifier)
        .limit(1)
        .execute()
        .data
    )
    return rows[0]["language_code"] if rows else "en"


def mark_sent(abandonment_id: str) -> None:
    supabase.table("cart_abandonments").update(
        {"recovery_email_sent_at": datetime.now(timezone.utc).isoformat()}
    ).eq("id", abandonment_id).execute()


def run() -> int:
    sent = 0
    for cart in due_abandonments():
        language = preferred_language(cart["customer_id"], cart["session_id"])
        print(f"sending {language} reminder for cart {cart['id']}")
        mark_sent(cart["id"])
        sent += 1
    return sent
