"""Finding kinds, severities and the Finding record: a public contract.

Other tools key on `kind` strings and on the JSON shape of a Finding, so kinds
are only ever added, never renamed; a change of meaning bumps
`REPORT_SCHEMA_VERSION`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

REPORT_SCHEMA_VERSION = 4
"""2: `facts` and a per-table `tables` summary added, fingerprints keyed by structure (an
index by its method and keys, a migration statement by its place), not by shown text.
3: RLS verdicts changed meaning: a policy outside the documented access that only reads rows
of an unmentioned kind is the new warning `rls_access_undocumented`, no longer an
`rls_access_violation`; a `service_role_only` table opened by client policies is one
`rls_access_violation` keyed by the kind, no longer one per policy plus `rls_policy_missing`.
4: `usage` added: the code references per table of `schemaverify usage` (null elsewhere)."""

SEVERITIES = ("error", "warning", "info")
FAIL_ON = ("error", "warning", "info", "never")
_RANK = {"info": 0, "warning": 1, "error": 2}


@dataclass(frozen=True)
class Kind:
    name: str
    severity: str
    summary: str
    """One line, used as the rule's short description (terminal legend, SARIF)."""
    help: str
    """Why it matters and what to do; README and SARIF help text."""


KINDS: dict[str, Kind] = {
    k.name: k
    for k in (
        Kind(
            "table_missing",
            "error",
            "A documented table does not exist.",
            "The spec describes a table the database lacks. Create it, or remove or rename the "
            "spec if the documentation is wrong.",
        ),
        Kind(
            "table_undocumented",
            "info",
            "A live table has no spec.",
            "The table exists in a checked schema but no spec describes it. Write a spec "
            "(`schemaverify coverage` lists them all), record it in a baseline, or lower its "
            "severity in the configuration.",
        ),
        Kind(
            "table_is_partition",
            "warning",
            "A documented table is a partition of another table.",
            "Partitions have their parent's columns, keys and indexes and are not read on their "
            "own: move the spec to the partitioned (parent) table the message names.",
        ),
        Kind(
            "column_missing",
            "error",
            "A documented column does not exist.",
            "The spec lists a column the live table lacks. When an undocumented column of the same "
            "type exists the message names it as a possible rename.",
        ),
        Kind(
            "column_undocumented",
            "warning",
            "A live column is not in the spec.",
            "The live table has a column the spec does not list: the documentation is incomplete.",
        ),
        Kind(
            "column_type_mismatch",
            "error",
            "A column's type differs from the spec.",
            "Type aliases (int4/integer, timestamptz, varchar) are equal; a spec type without "
            "modifier accepts any modifier, with a modifier it must match exactly.",
        ),
        Kind(
            "column_nullability_mismatch",
            "error",
            "A column's NULL/NOT NULL differs from the spec.",
            "Documented columns are NOT NULL unless marked nullable; the live column disagrees.",
        ),
        Kind(
            "column_default_mismatch",
            "warning",
            "A column's default differs from the spec.",
            "Only checked when the spec states a default. Expressions are compared after "
            "normalization, so casts and parentheses do not matter.",
        ),
        Kind(
            "column_identity_mismatch",
            "error",
            "A column's identity (GENERATED ALWAYS / BY DEFAULT AS IDENTITY) differs from the "
            "spec.",
            "Only checked when the spec states `identity`. ALWAYS refuses values the client "
            "supplies, BY DEFAULT accepts them: code written for one breaks on the other.",
        ),
        Kind(
            "column_generated_mismatch",
            "warning",
            "A generated column's expression or kind (STORED / VIRTUAL) differs from the spec, "
            "or the column is not generated.",
            "Only checked when the spec states `generated`. A VIRTUAL column (PostgreSQL 18) is "
            "computed on every read and cannot be indexed; a STORED one is written with the row.",
        ),
        Kind(
            "comment_missing",
            "info",
            "The database has no comment where the spec has a purpose or a column note.",
            "Only with `comments: strict` (spec or configuration). Supabase Studio, generated "
            "types and the reference show `COMMENT ON`; `schemaverify comments-sql` prints the "
            "statements that set them from the specs.",
        ),
        Kind(
            "comment_mismatch",
            "warning",
            "The database's comment differs from the spec's purpose or column note.",
            "Only with `comments: strict` (spec or configuration); whitespace runs do not count. "
            "One of the two descriptions is stale: update the spec, or run the statements "
            "`schemaverify comments-sql` prints.",
        ),
        Kind(
            "values_mismatch",
            "warning",
            "The database allows values the spec's `values` does not list, or rejects listed ones.",
            "What is enforced is the column's enum type (its labels) or a CHECK constraint on the "
            "column that accepts a list of literals (`IN (...)`, `= ANY (ARRAY[...])`, ORs of "
            "equalities). The message names the undocumented and the rejected values: update the "
            "document, or the constraint.",
        ),
        Kind(
            "values_unenforced",
            "info",
            "Nothing in the database enforces the spec's `values`.",
            "The column is no enum and no enforced CHECK constraint lists its values (a NOT "
            "ENFORCED or NOT VALID one is named in the message): any value may be stored. Add a "
            "CHECK constraint or an enum type, or accept the finding.",
        ),
        Kind(
            "check_missing",
            "error",
            "A CHECK constraint of one environment does not exist in the other.",
            "`schemaverify diff` only: specs do not state CHECK constraints (a column's "
            "`values` says what one enforces). Rows the one environment refuses, the other "
            "accepts.",
        ),
        Kind(
            "check_mismatch",
            "error",
            "A CHECK constraint differs between two environments, or exists only in the second.",
            "`schemaverify diff` only. Compared by name: the expression (normalized), NOT "
            "ENFORCED (PostgreSQL 18) and NOT VALID.",
        ),
        Kind(
            "primary_key_mismatch",
            "error",
            "The primary key differs from the spec.",
            "The live primary key is absent or covers other columns than documented.",
        ),
        Kind(
            "unique_missing",
            "error",
            "A documented UNIQUE column or column set has no unique constraint or index.",
            "Satisfied by a unique constraint or a non-partial unique index on exactly those "
            "columns.",
        ),
        Kind(
            "index_missing",
            "warning",
            "A documented index does not exist.",
            "No live index has the documented key columns. Indexes are matched by structure, "
            "never by name.",
        ),
        Kind(
            "index_mismatch",
            "warning",
            "A live index on the documented columns differs in uniqueness, method, order or "
            "predicate.",
            "An index with the same key columns exists but is not the documented one; the "
            "message says which property differs.",
        ),
        Kind(
            "fk_missing",
            "error",
            "A documented foreign key does not exist.",
            "No live foreign key constrains the documented columns.",
        ),
        Kind(
            "fk_mismatch",
            "error",
            "A foreign key's target or ON DELETE/ON UPDATE action differs from the spec.",
            "A foreign key on the documented columns exists but references another table or "
            "columns, or uses another action.",
        ),
        Kind(
            "rls_disabled",
            "error",
            "Row-level security is documented as enabled but is off (or the reverse).",
            "With RLS off every role with table privileges sees every row.",
        ),
        Kind(
            "rls_policy_missing",
            "error",
            "The documented access is not granted by any policy.",
            "No policy classifies as the expected access kind (or an explicitly documented "
            "policy is absent or different).",
        ),
        Kind(
            "rls_access_violation",
            "error",
            "A policy grants access the spec forbids.",
            "For example a `service_role_only` table with a permissive policy for anon, "
            "authenticated or PUBLIC (one finding for the table, naming every such policy), or a "
            "policy with an OR branch no documented kind describes.",
        ),
        Kind(
            "rls_access_undocumented",
            "warning",
            "A policy lets clients read rows of an access kind the spec does not mention.",
            "A SELECT policy whose every OR branch is a recognised, row-scoped kind (owner, "
            "organization, admin, ...) that the spec's `rls.access` does not list: the "
            "documentation is incomplete rather than contradicted. Writes, every-row reads, "
            "conditions no kind describes and any client access to a `service_role_only` table "
            "are `rls_access_violation` instead.",
        ),
        Kind(
            "migration_failed",
            "error",
            "A migration file failed to apply.",
            "The server rejected a statement; the finding gives the file:line:column, the SQL "
            "error and the statement. The file is rolled back; by default the run stops there, "
            "with `--continue-on-error` the later files are still applied.",
        ),
        Kind(
            "migration_version_conflict",
            "error",
            "Two migration files share a version prefix.",
            "The Supabase CLI keys migrations by the digits before the first underscore of the "
            "file name, so a real deployment records only one of them. Rename one file.",
        ),
        Kind(
            "migration_non_transactional",
            "error",
            "A migration statement cannot run inside a transaction block.",
            "CREATE INDEX CONCURRENTLY, VACUUM, ALTER SYSTEM, CREATE DATABASE and the like fail "
            "when the migration tool wraps each file in a transaction, as the Supabase CLI does. "
            "schemaverify still applies such a file, statement by statement outside a "
            "transaction, so that the rest of the history can be checked.",
        ),
        Kind(
            "migration_explicit_transaction",
            "warning",
            "A migration file contains a top-level BEGIN, COMMIT or ROLLBACK.",
            "Each file already runs in its own transaction; a COMMIT inside it ends that "
            "transaction early, so a later failure can no longer roll the whole file back. "
            "schemaverify ignores these statements when applying the file.",
        ),
        Kind(
            "migration_unsafe",
            "error",
            "A migration statement would act outside the database: shell commands, server "
            "files, server configuration, native code or outbound connections.",
            "Found before anything runs: COPY ... TO/FROM PROGRAM, COPY to or from a server "
            "file, pg_read_file and the other server file functions, lo_import/lo_export, "
            "ALTER SYSTEM, untrusted languages (CREATE EXTENSION plpython3u, LANGUAGE "
            "plperlu), LANGUAGE c/internal functions, dblink calls and IMPORT FOREIGN SCHEMA, "
            "also inside DO blocks, function bodies and EXECUTE strings. A migration folder is "
            "untrusted code in a CI gate, so such a file is never sent to the server: the run "
            "stops before anything is applied (with `--continue-on-error` only that file is "
            "skipped). Each statement is its own finding (its fingerprint holds the file and "
            "the statement's line and column).",
        ),
        Kind(
            "rls_matrix_mismatch",
            "error",
            "A cell of the effective access matrix differs from `rls.access_matrix`.",
            "The spec states what a role may do with a command (none, no rows, all rows, "
            "unconditional, conditional or access kinds such as owner); grants, RLS, BYPASSRLS, "
            "ownership and policies together give something else. The message says whether the "
            "database grants more or less than documented (`schemaverify access` shows the "
            "whole matrix).",
        ),
        Kind(
            "api_exposure_mismatch",
            "error",
            "The Data API reaches a table documented as hidden, or not one documented as exposed.",
            "The spec says `api: exposed` or `api: hidden`. A table is exposed when anon or "
            "authenticated may use its schema and holds a SELECT, INSERT, UPDATE or DELETE "
            "privilege on it; policies only narrow the rows of a reachable table. Since "
            "Supabase's 2026 grants change, new tables are hidden until a migration grants "
            "them: add the GRANTs (or REVOKE them for an internal table).",
        ),
        Kind(
            "rls_disabled_in_exposed_schema",
            "error",
            "Row-level security is off on a table in an exposed schema that client roles hold "
            "privileges on.",
            "`schemaverify advise`. The API (PostgREST) serves exposed schemas to anon and "
            "authenticated; with RLS off their table privileges reach every row, so anyone "
            "holding the public anon key reads (or writes) the whole table. Enable RLS and add "
            "policies, or revoke the privileges of anon and authenticated.",
        ),
        Kind(
            "policy_anon_write",
            "error",
            "A policy lets anon insert, update or delete rows without any condition.",
            "`schemaverify advise`. A permissive INSERT/UPDATE/DELETE/ALL policy applying to "
            "anon (or PUBLIC) whose condition for that write is `true`, on a table where anon "
            "holds the privilege and no restrictive policy narrows it: anyone with the public "
            "anon key may write (or erase) every row. Restrict it to authenticated users or add "
            "a condition; an intended open form can be baselined.",
        ),
        Kind(
            "policy_anonymous_write",
            "warning",
            "A write policy lets users who signed in anonymously write, where the spec forbids it.",
            "`schemaverify advise --specs`. Supabase's anonymous sign-ins hold the "
            "`authenticated` role, so a policy `TO authenticated` lets them insert, update or "
            "delete unless it tests the `is_anonymous` claim. Reported for tables whose spec "
            "says `rls.anonymous_writes: false`: add `AND NOT (select (auth.jwt() ->> "
            "'is_anonymous')::boolean)` to the policy, or a RESTRICTIVE policy for the writes.",
        ),
        Kind(
            "rls_enabled_no_policy",
            "info",
            "Row-level security is on but the table has no policy.",
            "`schemaverify advise`. Without any policy no client role sees or writes a row: "
            "right for a table only the backend (service role) uses, usually an oversight "
            "otherwise. Add the policies, or accept the finding.",
        ),
        Kind(
            "policy_role_without_privilege",
            "warning",
            "A policy is for a role that holds no privilege its command needs on the table.",
            "`schemaverify advise`. Privileges are checked before row-level security: a role "
            "without SELECT on a table gets `42501 permission denied for table`, whatever its "
            "policies say, so the policy never applies. Common since Supabase stopped granting "
            "new public tables to anon and authenticated (2026): grant the privilege in a "
            "migration, or drop the policy.",
        ),
        Kind(
            "multiple_permissive_policies",
            "warning",
            "Several permissive policies apply to the same role and command.",
            "`schemaverify advise`. PostgreSQL evaluates every permissive policy for every row "
            "and ORs the results, so each extra policy costs on every query (Supabase's "
            "`multiple_permissive_policies` lint). Merge them into one policy with OR-ed "
            "conditions.",
        ),
        Kind(
            "auth_rls_initplan",
            "warning",
            "A policy calls auth.uid(), auth.jwt(), auth.role(), auth.email() or "
            "current_setting() per row.",
            "`schemaverify advise`. Written bare the function is called for every row scanned; "
            "written `(select auth.uid())` PostgreSQL evaluates it once per query as an "
            "initplan, which is much faster on large tables (Supabase's `auth_rls_initplan` "
            "lint). The result is the same.",
        ),
        Kind(
            "security_definer_view",
            "error",
            "A view in an exposed schema that client roles may read runs with its owner's rights.",
            "`schemaverify advise`. Without `security_invoker = true` (PostgreSQL 15+) a view "
            "reads its tables as its owner; the owner is usually the tables' owner, a superuser "
            "or a BYPASSRLS role, so their row-level security does not apply and the view "
            "exposes every row. Set `WITH (security_invoker = true)` or revoke SELECT from "
            "anon and authenticated.",
        ),
        Kind(
            "security_definer_function",
            "warning",
            "A SECURITY DEFINER function in an exposed schema is callable by client roles.",
            "`schemaverify advise`. The API exposes the functions of exposed schemas as RPC; a "
            "SECURITY DEFINER function runs with its owner's rights and bypasses the caller's "
            "privileges and RLS. Move it to an unexposed schema, make it SECURITY INVOKER, or "
            "revoke EXECUTE from anon, authenticated and PUBLIC. Trigger functions are skipped.",
        ),
        Kind(
            "function_search_path_mutable",
            "warning",
            "A SECURITY DEFINER function does not fix its search_path.",
            "`schemaverify advise`. The function resolves unqualified names through the "
            "caller's search_path while running with its owner's rights: a caller who can "
            "create an object in a schema on that path can make it run their code. Add "
            "`SET search_path = ''` (and qualify names) or a fixed list of trusted schemas.",
        ),
        Kind(
            "fk_without_index",
            "info",
            "A foreign key has no index on its columns.",
            "`schemaverify advise`. Deleting or updating a referenced row must find the "
            "referencing rows; without an index whose leading columns are the foreign key's "
            "(any order, not partial, btree or single-column hash) that is a scan of the whole "
            "table, under lock. Joins along the key suffer too. Add the index unless the table "
            "stays small.",
        ),
        Kind(
            "duplicate_index",
            "warning",
            "Two or more indexes of a table have identical definitions.",
            "`schemaverify advise`. Same key columns or expressions in the same order and "
            "direction, same method, uniqueness, INCLUDE columns and predicate: every write "
            "maintains all of them and only one is ever useful. Drop all but one (keep the one "
            "that backs a constraint).",
        ),
        Kind(
            "code_table_missing",
            "error",
            "Code names a table, view or function the database does not have.",
            "`schemaverify usage`. A `.from('t')`, `.table('t')`, `.rpc('f')`, a resource "
            "embedded in a select, or a table in SQL the code runs names a relation or function "
            "that no read schema holds: the call fails at run time (PostgREST answers 404 / "
            "PGRST205, SQL 42P01). The message names a similar existing name when there is one. "
            "Fix the name, or add the missing migration.",
        ),
        Kind(
            "code_column_missing",
            "error",
            "Code names a column the table does not have.",
            "`schemaverify usage`. A column selected, filtered, ordered, inserted, updated or "
            "named in SQL, literally in the code, is not a column of the table (PostgREST "
            "answers 400 / PGRST204 or 42703). The message names the closest existing column, "
            "often the one it was renamed to.",
        ),
        Kind(
            "code_access_denied",
            "warning",
            "Code runs an operation that the table's effective access refuses to its client.",
            "`schemaverify usage`. The client is created with the public (anon or publishable) "
            "key or runs in the browser, so requests run as anon or as authenticated; for "
            "both, grants and row-level security leave no row to the operation (the access "
            "matrix of `schemaverify access`). It fails, or silently does nothing, for every "
            "user. Move the call to the server with the service role, or add the grant and "
            "policy. Also for `.rpc()` of a function neither role may execute.",
        ),
        Kind(
            "code_reference_unresolved",
            "info",
            "Code reaches the database with a name the scanner cannot resolve.",
            "`schemaverify usage`. The table, function or bucket name comes from a parameter, a "
            "variable or an interpolation (or the SQL does not parse), so it is not checked "
            "and not guessed. A name passed through a `const` of the same file is resolved.",
        ),
        Kind(
            "code_scan_incomplete",
            "info",
            "A code file was skipped or read only in part.",
            "`schemaverify usage`. The file is over 2 MB (generated or bundled code), cannot "
            "be read, has a syntax error the parser read around, is nested too deeply, or "
            "made the parser crash or overrun its time: what it holds is checked only as far "
            "as it could be read. Code must not pass a gate by being too big or too strange "
            "to read, so the file is named.",
        ),
        Kind(
            "table_unused",
            "info",
            "A documented table is named by no scanned code.",
            "`schemaverify usage --specs`. No reference in the scanned code names the table "
            "(unresolved references may: the message says how many there are). It may be used "
            "only by triggers, functions or another code base; otherwise it may be dead.",
        ),
    )
}


def rank(severity: str) -> int:
    return _RANK[severity]


def at_or_above(severity: str, threshold: str) -> bool:
    """Whether a finding of `severity` trips a `--fail-on threshold` gate."""
    if threshold == "never":
        return False
    return rank(severity) >= rank(threshold)


@dataclass(frozen=True)
class Finding:
    table: str
    """Qualified table name, e.g. `public.cart_abandonments`."""
    kind: str
    object: str | None
    """The column, index, FK or policy concerned, or None for the table itself."""
    severity: str
    message: str
    expected: Any = None
    actual: Any = None
    spec: str | None = None
    """`specs/x.yaml:14`: where the spec states what was violated."""
    caused_by: str | None = None
    """Fingerprint of the root finding this one follows from."""
    location: str | None = None
    """`file:line[:column]` of a place other than a spec, e.g. a failing migration statement."""
    extra: dict[str, Any] = field(default_factory=dict, compare=False, hash=False)
    details: tuple[tuple[str, Any], ...] = field(default=(), compare=False, hash=False)
    """The values behind the message beyond `expected` and `actual` (an index's differences,
    the same-typed columns a missing one may have been renamed to): another voice
    (`diff`'s --from/--to wording) renders them again without parsing the message."""
    key: str | None = None
    """The object's structural key when it differs from `object` (an index is shown as
    `btree (status) WHERE status = 'pending'` but keyed by `btree(status)`; a migration
    statement by `file:line:column`): identity must not follow prose or sqlglot's printing."""

    @property
    def fingerprint(self) -> str:
        """Stable identity (table, kind, structural key) used by baselines and `caused_by`."""
        return f"{self.table}|{self.kind}|{self.key if self.key is not None else self.object or ''}"

    @property
    def legacy_fingerprint(self) -> str:
        """The identity report version 1 used (table, kind, shown object): baselines written
        by earlier versions match by it."""
        return f"{self.table}|{self.kind}|{self.object or ''}"

    def with_severity(self, severity: str) -> Finding:
        return replace(self, severity=severity)

    def sort_key(self) -> tuple[str, int, int, str, str]:
        """Report order: by table, then the most severe first (a reader of a long table meets
        its errors before its infos), then by kind in `KINDS` order, object and message."""
        kinds = list(KINDS)
        order = kinds.index(self.kind) if self.kind in KINDS else len(kinds)
        severity = _RANK.get(self.severity, -1)
        return (self.table, -severity, order, self.object or "", self.message)


def make(
    table: str,
    kind: str,
    obj: str | None,
    message: str,
    *,
    expected: Any = None,
    actual: Any = None,
    spec: str | None = None,
    caused_by: str | None = None,
    severity: str | None = None,
    location: str | None = None,
    extra: dict[str, Any] | None = None,
    key: str | None = None,
    details: Mapping[str, Any] | None = None,
) -> Finding:
    """Build a finding with its kind's default severity."""
    return Finding(
        table=table,
        kind=kind,
        object=obj,
        severity=severity or KINDS[kind].severity,
        message=message,
        expected=expected,
        actual=actual,
        spec=spec,
        caused_by=caused_by,
        location=location,
        extra=extra or {},
        key=None if key == obj else key,
        details=tuple(details.items()) if details else (),
    )


def sort_findings(findings: list[Finding]) -> list[Finding]:
    return sorted(findings, key=Finding.sort_key)


@dataclass(frozen=True)
class Summary:
    total: int
    by_severity: dict[str, int]
    root_causes: int
    consequences: int
    tables_checked: int
    tables_with_findings: int
    by_schema: dict[str, dict[str, int]] = field(default_factory=dict)
    """Findings per checked schema and severity (`{schema: {error, warning, info}}`), sorted by
    schema; schemas without findings count zeros.  Findings about no table are not counted."""


def summarize(
    findings: list[Finding],
    tables_checked: int,
    *,
    schemas: Sequence[str] = (),
    tables: Sequence[str] = (),
) -> Summary:
    """Counts for the summary.  `schemas` are the schemas checked; without them the schema
    of each finding is the part of its table name before the first dot."""
    by_sev = {s: 0 for s in SEVERITIES}
    dotted = sorted({s for s in schemas if "." in s}, key=len, reverse=True)
    by_schema: dict[str, dict[str, int]] = {s: {k: 0 for k in SEVERITIES} for s in schemas}
    if not schemas:
        for table in tables:
            by_schema.setdefault(table.partition(".")[0], {k: 0 for k in SEVERITIES})
    for f in findings:
        by_sev[f.severity] += 1
        if f.table:
            schema = _schema_of(f.table, dotted)
            by_schema.setdefault(schema, {k: 0 for k in SEVERITIES})[f.severity] += 1
    consequences = sum(1 for f in findings if f.caused_by)
    return Summary(
        total=len(findings),
        by_severity=by_sev,
        root_causes=len(findings) - consequences,
        consequences=consequences,
        tables_checked=tables_checked,
        # Only specified tables count: undocumented tables and migration findings
        # are not among the `tables_checked`, and "3 of 2 tables" helps nobody.
        tables_with_findings=len(
            {f.table for f in findings if f.table and f.kind != "table_undocumented"}
        ),
        by_schema=dict(sorted(by_schema.items())),
    )


def _schema_of(table: str, dotted: Sequence[str]) -> str:
    """The schema of a qualified name: a known schema it starts with (the longest, as schema
    names may contain dots), else the part before the first dot."""
    for schema in dotted:
        if table.startswith(schema) and table[len(schema) : len(schema) + 1] == ".":
            return schema
    return table.partition(".")[0]
