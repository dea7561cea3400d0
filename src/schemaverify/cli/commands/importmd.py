"""`schemaverify import-md`: Markdown table documentation -> YAML specs, or a consistency check.

Exit codes: import 0 when every table was understood and written, 2 when any
line could not be understood (the tables it spoils are not written, the
others are); `--check` 0 when the document is consistent, 1 when it is not,
2 when it cannot be read.

The folder is `--out-dir DIR`: in every other command `-o` is one output file.  The old
`--out`/`-o DIR` still works, with a note on stderr, so that existing scripts keep going.
"""

from __future__ import annotations

import sys
from pathlib import Path

import typer

from schemaverify.cli.util import handles_errors, say_lines
from schemaverify.errors import EXIT_DRIFT, EXIT_USAGE, UsageError


def register(app: typer.Typer) -> None:
    @app.command("import-md")
    @handles_errors
    def import_md(
        doc: str = typer.Argument(..., metavar="FILE", hidden=True),
        out_dir: Path | None = typer.Option(
            None,
            "--out-dir",
            metavar="DIR",
            help="Folder to write one <table>.yaml spec per table into.",
        ),
        out: Path | None = typer.Option(
            None, "--out", "-o", metavar="DIR", hidden=True, help="Deprecated: --out-dir."
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
        """Import Markdown table documentation as YAML specs (no database needed).

        FILE is the Markdown document: `## Category` and ``### `table` `` sections, each
        with a table of columns."""
        from schemaverify.sources.importmd import check_markdown, import_markdown

        if out is not None:
            if out_dir is not None:
                raise UsageError("give --out-dir DIR only (--out is its old name)")
            say_lines("import-md: --out/-o DIR is deprecated; write --out-dir DIR")
            out_dir = out
        out = out_dir
        if check:
            if out is not None or merge:
                raise UsageError("--check writes nothing: it takes no --out-dir or --merge")
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
            raise UsageError("import-md needs --out-dir DIR (or --check)")
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
