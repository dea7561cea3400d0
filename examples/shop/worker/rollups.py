"""Nightly cart rollup: cart_session_metrics -> cart_analytics_daily."""

from __future__ import annotations

import os
from collections import defaultdict
from datetime import date, timedelta

from supabase import create_client

supabase = create_client(os.environ["SUPABASE_URL"], os.environ["SUPABASE_SERVICE_ROLE_KEY"])


def rollup(day: date) -> int:
    start, end = day.isoformat(), (day + timedelta(days=1)).isoformat()
    metrics = (
        supabase.table("cart_session_metrics")
        .select("customer_id, abandoned, converted, final_cart_value")
        .gte("started_at", start)
        .lt("started_at", end)
        .execute()
        .data
    )

    totals: dict[str, dict] = defaultdict(lambda: {"total": 0, "abandoned": 0, "value": 0.0})
    for m in metrics:
        t = totals[m["customer_id"]]
        t["total"] += 1
        if m["abandoned"]:
            t["abandoned"] += 1
            t["value"] += float(m["final_cart_value"])

    rows = [
        {
            "customer_id": customer_id,
            "date": day.isoformat(),
            "total_carts": t["total"],
            "abandoned_carts": t["abandoned"],
            "abandonment_rate": round(t["abandoned"] / t["total"], 4),
            "total_value_abandoned": round(t["value"], 2),
        }
        for customer_id, t in totals.items()
    ]
    if rows:
        supabase.from_("cart_analytics_daily").upsert(rows, on_conflict="customer_id,date").execute()

    # Refresh the dashboard's materialized rollups.
    supabase.rpc("refresh_cart_analytics", {"p_day": day.isoformat()}).execute()
    return len(rows)


if __name__ == "__main__":
    print(rollup(date.today() - timedelta(days=1)))
