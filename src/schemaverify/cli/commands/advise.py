"""`schemaverify advise`: security and performance advice on a live schema, no spec needed.

Same sources, formats, `--output`, `--fail-on`, baseline options and exit codes as `check`
(see advise.py for the checks).  Its baseline is its own: `--baseline FILE`, else
schemaverify-advise-baseline.json when it exists (what `--write-baseline` is told to
write).  Never the configured `baseline` or schemaverify-baseline.json: they hold check's
findings, which advice never produces, so applying them would call every entry stale.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import typer

from schemaverify.cli.commands.options import (
    LIVE,
    REPORT_OUTPUT,
    WRITE_BASELINE,
    format_option,
    load_patterns,
    takes,
)
from schemaverify.cli.config import Setting, Settings
from schemaverify.cli.util import ReportOutputs, handles_errors, record_baseline
from schemaverify.errors import UsageError

if TYPE_CHECKING:
    from schemaverify.model.schema import Table
    from schemaverify.model.vocabulary import AccessPatterns


def register(app: typer.Typer) -> None:
    @app.command("advise")
    @handles_errors
    @takes("specs", *LIVE, "fail_on", "baseline", baselines="advise")
    def advise_command(
        settings: Settings,
        exposed_schema: list[str] = typer.Option(
            [],
            "--exposed-schema",
            metavar="SCHEMA",
            help="Schema the API (PostgREST) serves to clients (repeatable). Default: [api] "
            "schemas of the supabase/config.toml next to --migrations, else public.",
        ),
        fmt: str = format_option(),
        output: list[str] = REPORT_OUTPUT,
        write_baseline: Path | None = WRITE_BASELINE,
    ) -> None:
        """Report security and performance advice on a live schema, no spec needed.

        Flags what a reviewer of a Supabase database would: tables open to the anon key,
        unconditional anon writes, security definer views and functions, per-row auth.uid()
        calls, redundant policies, unindexed foreign keys and duplicate indexes.
        """
        from schemaverify.model.normalize import identifier
        from schemaverify.pipeline import baseline as baselines
        from schemaverify.pipeline.advice import advice_report
        from schemaverify.rules.advise import DEFAULT_EXPOSED, AdviceOptions
        from schemaverify.sources.live import open_live

        outputs = ReportOutputs.parse(fmt, output)
        exposed: list[str] = []
        for text in exposed_schema:
            try:
                exposed.append(identifier(text))
            except ValueError as err:
                raise UsageError(f"--exposed-schema {text}: {err}") from None
        if not exposed_schema:
            # The project's own list names schemas as they are (no SQL quoting to undo).
            project = _project_api_schemas(settings)
            exposed = list(project if project is not None else DEFAULT_EXPOSED)
        patterns = load_patterns(settings.access_patterns.value)
        guarded = _no_anonymous_writes(settings.specs, patterns)
        options = AdviceOptions(
            patterns=patterns,
            exposed_schemas=tuple(dict.fromkeys(exposed)),
            no_anonymous_writes=frozenset(t.qualified for t in guarded),
        )
        # Loaded before the database is read: a malformed baseline fails fast (exit 2).
        baseline = settings.baseline.value
        accepted = baselines.load(baseline) if baseline is not None else None
        previous = (
            baselines.load(write_baseline)
            if write_baseline is not None and write_baseline.exists()
            else None
        )
        schemas = tuple(
            dict.fromkeys(
                (
                    *settings.schemas.value,
                    *options.exposed_schemas,
                    *(table.schema for table in guarded),
                )
            )
        )
        with open_live(settings.source_options(), schemas) as live:
            read = live.catalog is not None
            report = advice_report(
                live,
                options,
                fail_on=settings.fail_on.value,
                severity=settings.severity_overrides(),
            )
        if write_baseline is not None:
            record_baseline(report, write_baseline, previous, read=read)
            return
        if accepted is not None:
            report = baselines.apply(report, accepted, fail_on_stale=settings.fail_on_stale.value)
        raise typer.Exit(outputs.emit(report))


def _no_anonymous_writes(specs: Setting[Path], patterns: AccessPatterns) -> list[Table]:
    """Tables whose spec forbids writes by anonymous sign-ins.

    Advice needs no spec, so the default folder is read only when it exists; a folder
    given by flag or configuration must exist, as for every other command.
    """
    if specs.origin == "default" and not specs.value.exists():
        return []
    from schemaverify.sources.specs.load import load_specs

    loaded = load_specs(
        specs.value,
        access_kinds=patterns.kinds,
        access_roles=(*patterns.client_roles, *patterns.service_roles),
    )
    return [
        spec.table
        for spec in loaded.specs
        if spec.table.rls is not None and spec.table.rls.anonymous_writes is False
    ]


def _project_api_schemas(settings: Settings) -> tuple[str, ...] | None:
    """The schemas the project's Data API serves, from the Supabase CLI's config.toml next
    to the migrations (`[api] schemas`; none when `[api] enabled = false`), when that is the
    source and the file says; None otherwise."""
    target = settings.migrations.value
    if not target:
        return None
    from schemaverify.sources.migrations.discovery import read_supabase_config, supabase_config

    path = supabase_config(target)
    if path is None:
        return None
    return read_supabase_config(path, str(path)).api_schemas
