"""Circuit breakers around third-party APIs (Meta, DeepL, OpenAI): record state
changes and raise an alert when a breaker opens."""

from __future__ import annotations

import os
from datetime import datetime, timezone

from supabase import create_client

supabase = create_client(os.environ["SUPABASE_URL"], os.environ["SUPABASE_SERVICE_ROLE_KEY"])


def thresholds() -> list[dict]:
    return (
        supabase.table("alert_thresholds")
        .select("metric_name, comparison, threshold_value, severity, notification_channels")
        .eq("active", True)
        .execute()
        .data
    )


def record_state(service: str, state: str, failures: int, successes: int) -> None:
    now = datetime.now(timezone.utc).isoformat()
    supabase.table("circuit_breaker_telemetry").insert(
        {
            "service_name": service,
            "state": state,
            "failure_count": failures,
            "success_count": successes,
            "last_failure_at": now if failures else None,
            "state_changed_at": now,
        }
    ).execute()

    if state == "open":
        supabase.table("alert_history").insert(
            {
                "alert_type": "circuit_open",
                "severity": "critical",
                "message": f"{service} circuit opened after {failures} failures",
                "metadata": {"service": service, "failures": failures},
            }
        ).execute()
