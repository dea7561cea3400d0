"""Entry point: `python -m worker.main <job>`."""

from __future__ import annotations

import asyncio
import sys
from datetime import date, timedelta

from worker import quotes, recovery, rollups, sessions, translations, whatsapp

JOBS = {
    "recovery": recovery.run,
    "rollups": lambda: rollups.rollup(date.today() - timedelta(days=1)),
    "sessions": sessions.close_expired,
    "quotes": quotes.expire_quotes,
    "whatsapp": lambda: asyncio.run(whatsapp.main()),
    "translations": lambda: translations.evict(translations.connect()),
}


def main(argv: list[str]) -> int:
    if len(argv) != 2 or argv[1] not in JOBS:
        print(f"usage: python -m worker.main {{{'|'.join(JOBS)}}}", file=sys.stderr)
        return 2
    result = JOBS[argv[1]]()
    print(f"{argv[1]}: {result}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
