"""Translation cache maintenance over a direct connection (psycopg 3)."""

from __future__ import annotations

import os

import psycopg

CACHE_TTL_DAYS = 90


def connect() -> psycopg.Connection:
    return psycopg.connect(os.environ["DATABASE_URL"], autocommit=True)


def cached(conn: psycopg.Connection, source: str, target: str, text: str) -> str | None:
    with conn.cursor() as cur:
        cur.execute(
            """
            select translated_text, quality_score
              from translation_cache
             where source_language = %s
               and target_language = %s
               and source_text = %s
            """,
            (source, target, text),
        )
        row = cur.fetchone()
    return row[0] if row else None


def store(
    conn: psycopg.Connection,
    source: str,
    target: str,
    text: str,
    translated: str,
    service: str,
    quality: float | None,
) -> None:
    with conn.cursor() as cur:
        cur.execute(
            """
            insert into translation_cache
                (source_language, target_language, source_text, translated_text,
                 translation_service, quality_score)
            values (%s, %s, %s, %s, %s, %s)
            on conflict (source_language, target_language, source_text)
            do update set translated_text = excluded.translated_text,
                          quality_score = excluded.quality_score,
                          last_used_at = now()
            """,
            (source, target, text, translated, service, quality),
        )


def evict(conn: psycopg.Connection, days: int = CACHE_TTL_DAYS) -> int:
    with conn.cursor() as cur:
        cur.execute(f"delete from translation_cache where last_used_at < now() - interval '{days} days'")
        return cur.rowcount


def table_sizes(conn: psycopg.Connection, tables: list[str]) -> dict[str, int]:
    sizes: dict[str, int] = {}
    with conn.cursor() as cur:
        for table in tables:
            cur.execute(f"select count(*) from {table}")
            sizes[table] = cur.fetchone()[0]
    return sizes
