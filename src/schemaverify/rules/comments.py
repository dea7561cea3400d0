"""`purpose` and column notes against `COMMENT ON TABLE` / `COMMENT ON COLUMN`.

The document's descriptions and the database's comments should be one text: Supabase
Studio, generated types and the reference all show the comment.  Compared only when asked
(`comments: strict` in a spec, or `comments = "strict"` in the configuration), because most
databases carry no comments and a first check should not drown in them; `schemaverify
comments-sql` writes the migration that makes them agree.  Texts are equal when they are
equal after collapsing runs of whitespace (a YAML folded string and a one-line comment).
"""

from __future__ import annotations

from schemaverify.rules.context import TableContext

KINDS = ("comment_missing", "comment_mismatch")
SUBJECTS = ("table.comment", "column.comment")


def same_text(a: str, b: str) -> bool:
    return " ".join(a.split()) == " ".join(b.split())


def enabled(ctx: TableContext) -> bool:
    mode = ctx.spec.comments
    return mode == "strict" if mode is not None else ctx.options.comments


def compare(ctx: TableContext) -> None:
    if not enabled(ctx):
        return
    if ctx.spec.purpose:
        _one(ctx, "table.comment", None, ctx.spec.purpose, ctx.live.comment, ctx.where("table"))
    for name, doc in ctx.spec.columns_doc.items():
        column = ctx.live.column(name)
        if doc.note is None:
            continue
        where = ctx.where(f"column:{name}")
        if column is None:
            ctx.unverifiable("column.comment", name, doc.note, where, "column_missing")
            continue
        _one(ctx, "column.comment", name, doc.note, column.comment, where)


def _one(
    ctx: TableContext, subject: str, key: str | None, text: str, live: str | None, where: str
) -> None:
    if live is not None and same_text(text, live):
        ctx.verified(subject, key, text, live, where)
        return
    kind = "comment_missing" if live is None else "comment_mismatch"
    ctx.drift(
        subject, kind, key, text, live, where, details={"on": "table" if key is None else "column"}
    )
