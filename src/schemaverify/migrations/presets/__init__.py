"""Presets: SQL applied to a fresh cluster before the migrations, plus shim extensions.

A preset recreates what a hosting platform provides before any migration
runs (Supabase: roles, `auth`, `storage`, `extensions`, ...).  Shim
extensions are pure-SQL stand-ins, found through PostgreSQL 18's
`extension_control_path`, for extensions the embedded build lacks
(`uuid-ossp`, `pgcrypto`, `pg_cron`), so that `CREATE EXTENSION` lines in a
migration history succeed with every preset, including `none`.

The text of both is part of the cluster cache key: editing a file here
rebuilds the cached cluster on the next run.
"""

from __future__ import annotations

from importlib import resources

PRESETS = ("none", "supabase")

_SHIMS: dict[str, tuple[str, str, str, bool]] = {
    # name: (version, script file, comment, relocatable)
    "uuid-ossp": ("1.1", "uuid-ossp--1.1.sql", "generate universally unique identifiers", True),
    "pgcrypto": ("1.3", "pgcrypto--1.3.sql", "cryptographic functions", False),
    "pg_cron": ("1.6", "pg_cron--1.6.sql", "job scheduler: jobs are recorded, never run", False),
}


def _read(*parts: str) -> str:
    node = resources.files(__name__)
    for part in parts:
        node = node / part
    return node.read_text(encoding="utf-8")


def preset_sql(name: str) -> str:
    """The SQL of a preset; '' for `none`."""
    if name not in PRESETS:
        raise ValueError(f"unknown preset {name!r}")
    if name == "none":
        return ""
    return _read(f"{name}.sql")


def shim_extension_files() -> dict[str, str]:
    """File name -> text of every shim extension's control and script file."""
    files: dict[str, str] = {}
    for name, (version, script, comment, relocatable) in _SHIMS.items():
        files[f"{name}.control"] = (
            f"# schemaverify shim: the embedded PostgreSQL build has no {name}\n"
            f"comment = '{comment} (schemaverify shim)'\n"
            f"default_version = '{version}'\n"
            f"relocatable = {'true' if relocatable else 'false'}\n"
            "trusted = true\n"
        )
        files[script] = _read("shims", script)
    return files
