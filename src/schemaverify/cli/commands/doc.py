"""`schemaverify doc`: the verified reference, written, merged into a file, or checked."""

from __future__ import annotations

import difflib
import posixpath
import sys
from pathlib import Path

import typer

from schemaverify.cli.commands.options import CODE, LIVE, NO_CACHE, takes
from schemaverify.cli.config import Settings
from schemaverify.cli.util import handles_errors, warn_finding, write_output
from schemaverify.errors import UsageError


def _read(path: Path) -> str | None:
    """The file's text exactly (line endings too), or None when it does not exist."""
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        return None
    except OSError as err:
        raise UsageError(f"{path}: cannot read: {err.strerror or err}") from None
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as err:
        line = raw.count(b"\n", 0, err.start) + 1
        raise UsageError(f"{path}:{line}: not UTF-8 text") from None


def register(app: typer.Typer) -> None:
    @app.command()
    @handles_errors
    @takes("specs", *LIVE)
    def doc(
        settings: Settings,
        output: Path | None = typer.Option(
            None,
            "--output",
            "-o",
            metavar="FILE",
            help="Write the reference to FILE; when FILE has schemaverify:begin/end markers, "
            "replace only those regions and keep the rest of the file.",
        ),
        check: Path | None = typer.Option(
            None,
            "--check",
            metavar="FILE",
            help="Exit 0 when FILE is what -o FILE would write, else 1 with a diff (a CI step).",
        ),
        date: str | None = typer.Option(
            None,
            "--date",
            metavar="YYYY-MM-DD",
            help="Date of the verification stamp. Default: the snapshot's created_at, else none "
            "(the reference stays the same for the same schema).",
        ),
        title: str = typer.Option(
            "Database schema reference",
            "--title",
            metavar="TEXT",
            help="The top heading. Default: Database schema reference.",
            show_default=False,
        ),
        no_cache: bool = NO_CACHE,
        code: Path | None = CODE,
    ) -> None:
        """Render the specs as a Markdown reference, each fact marked verified, differs or
        unverifiable against the source, with a Mermaid diagram per category."""
        from schemaverify.pipeline.doc import run_doc, stamp_date
        from schemaverify.reports import docmerge, reference

        if output is not None and check is not None:
            raise UsageError("give --output or --check, not both")
        stamp_date(date, {})  # a malformed --date fails before the source is read
        done = run_doc(
            settings.specs.value,
            settings.source_options(),
            schemas=settings.schemas.value,
            access_patterns=settings.access_patterns.value,
            types=settings.types.value,
            comments=settings.comments.value == "strict",
            date=date,
            cache=not no_cache,
            code=code,
        )
        if done is None:
            warn_finding(
                None, "no reference: the migrations failed before the schema could be read"
            )
            raise typer.Exit(1)
        for f in done.report.findings:
            if f.kind.startswith("migration_") and f.severity == "error":
                warn_finding(f.location or f.object, f.message)
        target = check if check is not None else output
        links_from = posixpath.dirname(target.as_posix()) if target is not None else ""
        regions = reference.regions(done.reference, title, links_from or ".")
        existing = _read(target) if target is not None else None
        if existing is not None and docmerge.has_markers(existing):
            text = docmerge.merge(existing, regions, str(target))
        elif existing is not None and output is not None:
            raise UsageError(
                f"{output}: exists and has no schemaverify:begin/end markers; refusing to "
                "overwrite it (write to a new file, or add the markers where the reference goes)"
            )
        else:
            text = reference.join(regions)
        if check is not None:
            current = existing if existing is not None else ""
            if current == text:
                raise typer.Exit(0)
            diff = difflib.unified_diff(
                current.splitlines(keepends=True),
                text.splitlines(keepends=True),
                fromfile=f"{check} (committed)",
                tofile=f"{check} (from the source)",
            )
            sys.stdout.write("".join(diff))
            warn_finding(
                str(check),
                "stale: regenerate it with `schemaverify doc -o FILE` and the same source",
            )
            raise typer.Exit(1)
        if output is not None:
            write_output(output, text, "reference")
        else:
            sys.stdout.write(text)
