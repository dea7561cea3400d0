"""Presets: SQL applied to a fresh cluster before the migrations, plus shim extensions.

A preset recreates what a hosting platform provides before any migration
runs (Supabase: roles, `auth`, `storage`, `extensions`, ...).  Shim
extensions are pure-SQL stand-ins, found through PostgreSQL 18's
`extension_control_path`, for extensions the embedded build lacks
(`uuid-ossp`, `pgcrypto`, `pg_cron`, and the Supabase ones: `pg_net`, `http`,
`pgjwt`, `supabase_vault`, `pgsodium`, `pg_graphql`, `pgtap`), so that `CREATE
EXTENSION` lines in a migration history succeed with every preset, including
`none`.  Each is documented in its script: what it does, and what it refuses.

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

from dataclasses import dataclass
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


@dataclass(frozen=True)
class Shim:
    """A pure-SQL stand-in extension, written as a package PostgreSQL installs itself.

    `version` is the version hosted Supabase installs by default, so
    `pg_extension.extversion` and `ALTER EXTENSION ... UPDATE` read as there.
    `older` are versions Supabase has shipped that histories name (`CREATE
    EXTENSION ... VERSION`, `ALTER EXTENSION ... UPDATE TO`): each gets an empty
    update script in both directions, so naming it succeeds and only relabels the
    install, whose objects stay those of `version`.  `schema` fixes the schema as
    the real control file does; `requires` lists what `CASCADE` installs first.
    """

    version: str
    comment: str
    relocatable: bool = False
    schema: str | None = None
    requires: tuple[str, ...] = ()
    older: tuple[str, ...] = ()


_SHIMS: dict[str, Shim] = {
    "uuid-ossp": Shim("1.1", "generate universally unique identifiers", relocatable=True),
    "pgcrypto": Shim("1.3", "cryptographic functions"),
    "pg_cron": Shim("1.6", "job scheduler: jobs are recorded, never run"),
    # The objects live in schema net whatever WITH SCHEMA says, as with pg_net itself.
    "pg_net": Shim(
        "0.19.5",
        "async HTTP: requests are recorded in net.http_request_queue, never sent",
        older=("0.10.0", "0.11.0", "0.14.0"),
    ),
    "http": Shim("1.6", "HTTP client: every request raises, there is no network", older=("1.5",)),
    "pgjwt": Shim("0.2.0", "JSON Web Token API", requires=("pgcrypto",), older=("0.1.0",)),
    "supabase_vault": Shim(
        "0.3.1",
        "Supabase Vault: secrets are stored NOT encrypted",
        schema="vault",
        older=("0.2.8",),
    ),
    "pgsodium": Shim(
        "3.1.8",
        "libsodium API: keys are recorded, every cryptographic call raises",
        schema="pgsodium",
    ),
    "pg_graphql": Shim(
        "1.5.11",
        "GraphQL: queries are answered with an error",
        schema="graphql",
        older=("1.5.7",),
    ),
    "pgtap": Shim(
        "1.3.3", "unit testing: a subset of pgTAP's assertions", older=("1.1.0", "1.2.0")
    ),
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


def preset_sql(name: str, grants: str = "current") -> str:
    """The SQL of a preset, run as its superuser: the migration role first, then the preset
    (for Supabase, in the Data API grant mode `grants`: see platform.GRANT_MODES)."""
    if name not in PRESETS:
        raise ValueError(f"unknown preset {name!r}")
    roles = _read("roles.sql")
    if name == "none":
        return roles
    # Generated from one description per platform component (presets/supabase/*.yaml).
    from schemaverify.sources.migrations.presets.platform import GRANT_MODES, supabase_sql

    if grants not in GRANT_MODES:
        raise ValueError(f"unknown grant mode {grants!r}")
    return roles + "\n" + supabase_sql(grants)


def shim_extension_files() -> dict[str, str]:
    """File name -> text of every shim extension's control, install and update scripts."""
    files: dict[str, str] = {}
    for name, shim in _SHIMS.items():
        control = (
            f"# schemaverify shim: the embedded PostgreSQL build has no {name}\n"
            f"comment = {_quote(shim.comment + ' (schemaverify shim)')}\n"
            f"default_version = {_quote(shim.version)}\n"
            f"relocatable = {'true' if shim.relocatable else 'false'}\n"
            "trusted = true\n"
        )
        if shim.schema is not None:
            control += f"schema = {_quote(shim.schema)}\n"
        if shim.requires:
            control += f"requires = {_quote(', '.join(shim.requires))}\n"
        files[f"{name}.control"] = control
        files[f"{name}--{shim.version}.sql"] = _read("shims", f"{name}--{shim.version}.sql")
        for old in shim.older:
            for src, dst in ((old, shim.version), (shim.version, old)):
                files[f"{name}--{src}--{dst}.sql"] = (
                    f"-- schemaverify shim of {name}: {src} -> {dst} only relabels the install;\n"
                    f"-- its objects are those of {shim.version}, Supabase's default version.\n"
                )
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
