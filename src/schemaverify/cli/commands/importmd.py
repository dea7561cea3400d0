"""`schemaverify import-md`: Markdown table documentation -> YAML specs, or a consistency check.

Exit codes: import 0 when every table was understood and written, 2 when any
line could not be understood (the tables it spoils are not written, the
others are); `--check` 0 when the document is consistent, 1 when it is not,
2 when it cannot be read.
"""

from __future__ import annotations

import sys
from pathlib import Path

import typer

from schemaverify.cli.util import handles_errors
from schemaverify.errors import EXIT_DRIFT, EXIT_USAGE, UsageError


def register(app: typer.Typer) -> None:
    @app.command("import-md")
    @handles_errors
    def import_md(
        doc: str = typer.Argument(
            ..., metavar="DOC", help="Markdown document (## Category / ### `table` sections)."
        ),
        out: Path | None = typer.Option(
            None, "--out", "-o", help="Folder to write one <table>.yaml spec per table into."
        ),
        check: bool = typer.Option(
            False, "--check", help="Only report the document's own inconsistencies; write nothing."
        ),
        merge: bool = typer.Option(
            False,
            "--merge",
            help="Keep hand edits of existing specs (prose, defaults, policies, ignore rules).",
        ),
    ) -> None:
        """Import Markdown table documentation as YAML specs (no database needed)."""
        from schemaverify.sources.importmd import check_markdown, import_markdown

        if check:
            if out is not None or merge:
                raise UsageError("--check writes nothing: it takes no --out or --merge")
            problems = check_markdown(Path(doc), shown=doc)
            for line in problems:
                typer.echo(line)
            if problems:
                count = len(problems)
                typer.echo(f"{doc}: {count} inconsistenc{'y' if count == 1 else 'ies'}")
                raise typer.Exit(EXIT_DRIFT)
            typer.echo(f"{doc}: consistent")
            return
        if out is None:
            raise UsageError("import-md needs --out DIR (or --check)")
        result = import_markdown(Path(doc), out, shown=doc, merge=merge)
        for line in result.problems:
            sys.stderr.write(f"{line}\n")
        done = len(result.written) + len(result.unchanged)
        summary = (
            f"{done} spec{'' if done == 1 else 's'} in {out} from {result.tables} table"
            f"{'' if result.tables == 1 else 's'} of {doc} "
            f"({len(result.written)} written, {len(result.unchanged)} unchanged)"
        )
        typer.echo(summary)
        if result.problems:
            skipped = ", ".join(result.skipped) or "none"
            sys.stderr.write(
                f"{len(result.problems)} problem{'' if len(result.problems) == 1 else 's'}; "
                f"not written: {skipped}\n"
            )
            raise typer.Exit(EXIT_USAGE)
