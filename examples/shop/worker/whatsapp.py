"""Processes the WhatsApp webhook events stored by app/api/webhooks/whatsapp."""

from __future__ import annotations

import asyncio
import json
import os
from collections.abc import Iterator

import asyncpg

BATCH = 50


def _messages(payload: dict) -> Iterator[dict]:
    for entry in payload.get("entry", []):
        for change in entry.get("changes", []):
            yield from change.get("value", {}).get("messages", [])


async def process_batch(conn: asyncpg.Connection) -> int:
    rows = await conn.fetch(
        """
        select id, customer_id, event_type, payload
          from whatsapp_webhooks
         where not processed
         order by received_at
         limit $1
        """,
        BATCH,
    )
    for row in rows:
        try:
            async with conn.transaction():
                for message in _messages(json.loads(row["payload"])):
                    await conn.execute(
                        """
                        insert into whatsapp_messages (customer_id, phone_number, body, received_at)
                        values ($1, $2, $3, to_timestamp($4))
                        """,
                        row["customer_id"],
                        message["from"],
                        message.get("text", {}).get("body", ""),
                        int(message["timestamp"]),
                    )
                    await conn.execute(
                        "update whatsapp_sessions set messages_sent = messages_sent + 1, "
                        "last_message_at = now() "
                        "where customer_id = $1 and phone_number = $2 and active",
                        row["customer_id"],
                        message["from"],
                    )
                await conn.execute(
                    "update whatsapp_webhooks set processed = true, processed_at = now() where id = $1",
                    row["id"],
                )
        except Exception as exc:  # keep the event, record why it failed
            await conn.execute(
                "update whatsapp_webhooks set error_message = $2 where id = $1",
                row["id"],
                str(exc),
            )
    return len(rows)


async def main() -> None:
    conn = await asyncpg.connect(os.environ["DATABASE_URL"])
    try:
        while await process_batch(conn) == BATCH:
            pass
    finally:
        await conn.close()


if __name__ == "__main__":
    asyncio.run(main())
