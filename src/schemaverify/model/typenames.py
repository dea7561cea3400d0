"""The type names a spec may write without a schema and be sure they exist.

A misspelt type (`txt`, `timestampz`) is an error in the spec, not drift in the database:
reported as drift it sends a reader to the database for a typo in the document.  So a spec's
unqualified type must be one of PostgreSQL's built-in types, a type of an extension listed
here, a name the configuration lists (`types`), or, when a live source is read, a type the
database defines (an enum, a domain).  A schema-qualified name (`public.mood`) is the
author's explicit claim and is left to the comparison.

`BUILTIN` is every base, range and multirange type of pg_catalog (array types and pseudo
types such as `record` or `trigger` are not column types), in the canonical spelling
`normalize.parse_type` gives; tests/test_typenames.py compares it with the pg_type of each
tested server, so it cannot drift from PostgreSQL.  `EXTENSION_TYPES` holds the user-facing
types of the contrib modules and pgvector (also compared with a real server) and of a few
widely used third-party extensions (PostGIS, ip4r, semver, hll, ulid, unit, prefix), taken
from their documentation.  Index-internal types of extensions (`gtrgm`, `ghstore`,
`gbtreekey16`) are left out: no column is declared with them.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from types import MappingProxyType

from schemaverify.model.normalize import TYPE_SPELLINGS
from schemaverify.model.schema import TypeRef

BUILTIN = frozenset(
    {
        "aclitem",
        "bigint",
        "bit",
        "bit varying",
        "boolean",
        "box",
        "bytea",
        "char",
        "character",
        "character varying",
        "cid",
        "cidr",
        "circle",
        "date",
        "datemultirange",
        "daterange",
        "double precision",
        "gtsvector",
        "inet",
        "int2vector",
        "int4multirange",
        "int4range",
        "int8multirange",
        "int8range",
        "integer",
        "interval",
        "json",
        "jsonb",
        "jsonpath",
        "line",
        "lseg",
        "macaddr",
        "macaddr8",
        "money",
        "name",
        "numeric",
        "nummultirange",
        "numrange",
        "oid",
        "oidvector",
        "path",
        "pg_brin_bloom_summary",
        "pg_brin_minmax_multi_summary",
        "pg_dependencies",
        "pg_lsn",
        "pg_mcv_list",
        "pg_ndistinct",
        "pg_node_tree",
        "pg_snapshot",
        "point",
        "polygon",
        "real",
        "refcursor",
        "regclass",
        "regcollation",
        "regconfig",
        "regdictionary",
        "regnamespace",
        "regoper",
        "regoperator",
        "regproc",
        "regprocedure",
        "regrole",
        "regtype",
        "smallint",
        "text",
        "tid",
        "time with time zone",
        "time without time zone",
        "timestamp with time zone",
        "timestamp without time zone",
        "tsmultirange",
        "tsquery",
        "tsrange",
        "tstzmultirange",
        "tstzrange",
        "tsvector",
        "txid_snapshot",
        "uuid",
        "xid",
        "xid8",
        "xml",
    }
)
"""pg_catalog's base, range and multirange types, PostgreSQL 14 to 18 (the same set)."""

PSEUDO = frozenset(
    {
        "any",
        "anyarray",
        "anycompatible",
        "anycompatiblearray",
        "anycompatiblemultirange",
        "anycompatiblenonarray",
        "anycompatiblerange",
        "anyelement",
        "anyenum",
        "anymultirange",
        "anynonarray",
        "anyrange",
        "cstring",
        "event_trigger",
        "fdw_handler",
        "index_am_handler",
        "internal",
        "language_handler",
        "pg_ddl_command",
        "record",
        "table_am_handler",
        "trigger",
        "tsm_handler",
        "unknown",
        "void",
    }
)
"""pg_catalog's pseudo-types: function argument and result types no column can have."""

EXTENSION_TYPES: Mapping[str, str] = MappingProxyType(
    {
        # contrib modules and pgvector: tests/test_typenames.py creates each and compares.
        "citext": "citext",
        "cube": "cube",
        "earth": "earthdistance",
        "hstore": "hstore",
        "ean13": "isn",
        "isbn": "isn",
        "isbn13": "isn",
        "ismn": "isn",
        "ismn13": "isn",
        "issn": "isn",
        "issn13": "isn",
        "upc": "isn",
        "lo": "lo",
        "lquery": "ltree",
        "ltree": "ltree",
        "ltxtquery": "ltree",
        "query_int": "intarray",
        "seg": "seg",
        "halfvec": "vector",
        "sparsevec": "vector",
        "vector": "vector",
        # Third-party extensions, from their documentation.
        "box2d": "postgis",
        "box3d": "postgis",
        "geography": "postgis",
        "geometry": "postgis",
        "raster": "postgis_raster",
        "topogeometry": "postgis_topology",
        "ip4": "ip4r",
        "ip4r": "ip4r",
        "ip6": "ip4r",
        "ip6r": "ip4r",
        "ipaddress": "ip4r",
        "iprange": "ip4r",
        "semver": "semver",
        "hll": "hll",
        "ulid": "pgx_ulid",
        "unit": "unit",
        "prefix_range": "prefix",
    }
)
"""Type name -> the extension that defines it."""


def is_builtin(ref: TypeRef) -> bool:
    """Whether `ref` names one of PostgreSQL's own types (any `interval` field form too)."""
    name = ref.name
    return name in BUILTIN or name.startswith("interval ")


def is_known(ref: TypeRef, extra: Collection[str] = ()) -> bool:
    """Whether an unqualified type name exists without asking a database: built in, an
    extension's, or listed in the configuration (`extra`, canonical names)."""
    return is_builtin(ref) or ref.name in EXTENSION_TYPES or ref.name in extra


def spellings(extra: Collection[str] = ()) -> frozenset[str]:
    """Every name a did-you-mean may offer: canonical names and the short spellings people
    write (`timestamptz`, `int4`, `varchar`)."""
    return BUILTIN | EXTENSION_TYPES.keys() | TYPE_SPELLINGS | frozenset(extra)
