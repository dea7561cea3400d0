"""Presets: SQL applied to a fresh cluster before the migrations, plus shim extensions.

A preset recreates what a hosting platform provides before any migration
runs (Supabase: roles, `auth`, `storage`, `extensions`, ...).  Shim
extensions are pure-SQL stand-ins, found through PostgreSQL 18's
`extension_control_path`, for extensions the embedded build lacks
(`uuid-ossp`, `pgcrypto`, `pg_cron`), so that `CREATE EXTENSION` lines in a
migration history succeed with every preset, including `none`.

Migrations are untrusted code, so they never run as a superuser.  Every
preset has the same shape as hosted Supabase (and RDS, Cloud SQL): the
bootstrap superuser is a role no history names (`SUPERUSERS`), used only to
apply the preset and to read the catalog; migrations run as `postgres`, a
non-superuser that owns the database `postgres` (hence schema `public`), with
CREATEROLE, CREATEDB, REPLICATION and BYPASSRLS.  PostgreSQL itself then
refuses it `COPY ... PROGRAM`, server file access, `ALTER SYSTEM` and
untrusted languages.  The extensions hosted Supabase lets `postgres` create
(its supautils "privileged extensions", installed on its behalf by the
superuser) are reproduced without superuser rights: the run's private
`share/extension` holds copies of their control files marked `trusted`, so
PostgreSQL runs their scripts as the bootstrap superuser, as it does for
pg_trgm or hstore.

The text of all of this is part of the cluster cache key: editing a file here
rebuilds the cached cluster on the next run.
"""

from __future__ import annotations

from importlib import resources

PRESETS = ("none", "supabase")

MIGRATION_ROLE = "postgres"
"""The role migrations are applied as (what `supabase db push` and most hosts use)."""

SUPERUSERS = {
    # Hosted Supabase's own superuser, so catalog owners read as they do there.
    "supabase": "supabase_admin",
    # No history written for any host refers to this name, so `OWNER TO postgres`
    # and `GRANT ... TO postgres` keep naming the role the migrations run as; and
    # the name says whose role it is wherever it shows (owners of extension objects).
    "none": "schemaverify_admin",
}

TRUSTED_EXTENSIONS = (
    # Extensions of the embedded build that hosted Supabase lets `postgres` create
    # (supautils.privileged_extensions, plus pgvector, offered on every project) but
    # whose control files do not say `trusted`.  Those PostgreSQL already trusts
    # (pg_trgm, hstore, citext, ltree, ...) need nothing.  Deliberately left out:
    # dblink and postgres_fdw (they open network connections from the machine running
    # the check), file_fdw (reads server files), and the inspection tools Supabase
    # itself omits as unsafe (amcheck, pageinspect, pg_buffercache, pg_freespacemap,
    # pg_prewarm, pg_surgery, pg_visibility, pgstattuple, pg_logicalinspect), intagg.
    "autoinc",
    "bloom",
    "dict_xsyn",
    "earthdistance",
    "insert_username",
    "moddatetime",
    "pg_stat_statements",
    "pg_walinspect",
    "pgrowlocks",
    "refint",
    "vector",
)

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


def superuser(name: str) -> str:
    """The bootstrap superuser of a preset's cluster."""
    if name not in PRESETS:
        raise ValueError(f"unknown preset {name!r}")
    return SUPERUSERS[name]


def preset_sql(name: str) -> str:
    """The SQL of a preset, run as its superuser: the migration role first, then the preset."""
    if name not in PRESETS:
        raise ValueError(f"unknown preset {name!r}")
    roles = _read("roles.sql")
    if name == "none":
        return roles
    return roles + "\n" + _read(f"{name}.sql")


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


def _quote(value: str) -> str:
    """A control-file string literal (the GUC file syntax: quotes doubled)."""
    return "'" + value.replace("\\", "\\\\").replace("'", "''") + "'"


def trusted_control_files(system_extension_dir: str) -> dict[str, str]:
    """File name -> a copy of the build's control file for each TRUSTED_EXTENSIONS entry, trusted.

    The copy keeps every setting of the original (so its version and module stay
    the build's) but `trusted` and `directory`: the scripts stay where they are,
    named by absolute path, because a control file found through
    `extension_control_path` otherwise looks for them next to itself.
    Extensions the build lacks are skipped.
    """
    files: dict[str, str] = {}
    for name in TRUSTED_EXTENSIONS:
        try:
            with open(f"{system_extension_dir}/{name}.control", encoding="utf-8") as handle:
                original = handle.read()
        except FileNotFoundError:
            continue
        kept = [
            line
            for line in original.splitlines()
            if line.split("=", 1)[0].strip() not in ("trusted", "directory")
        ]
        files[f"{name}.control"] = (
            f"# schemaverify: {name} as hosted Supabase offers it to its postgres role\n"
            + "\n".join(kept)
            + f"\ndirectory = {_quote(system_extension_dir)}\ntrusted = true\n"
        )
    return files
