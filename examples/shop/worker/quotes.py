"""Expire quotes past their validity date (psycopg 3, direct connection)."""

from __future__ import annotations

import os

import psycopg


def expire_quotes() -> int:
    with psycopg.connect(os.environ["DATABASE_URL"]) as conn, conn.cursor() as cur:
        cur.execute(
            """
            update ai_quotes
               set status = 'expired'
             where status in ('draft', 'sent')
               and valid_until < now()
            """
        )
        return cur.rowcount


if __name__ == "__main__":
    print(f"expired {expire_quotes()} quotes")
