"""Apply `adopt`'s edit operations to a spec file's YAML text, keeping everything else.

A spec is a document people write: comments, key order, quoting, flow or block style,
blank lines between sections and the header comment are theirs.  ruamel.yaml's round-trip
mode reads them into its nodes and writes them back; this module edits those nodes.  Two
things round-trip mode leaves to the caller:

- The dump's indentation is one setting for the whole file.  The settings that give the
  original text back unchanged are found by trying the usual ones (`detect_style`); a file
  no setting reproduces is still rewritten, and the diff shows the difference.
- A comment line is stored with the value *before* it (the comment introducing `rls:` is
  the tail of the last foreign key's last key).  Removing or appending an entry therefore
  moves those lines to the entry that now precedes them (`_take_after` / `_put_after`), so a
  section's comment stays above its section.

New values are spelled by importmd's emitter (the format `import-md` writes) and parsed
back into nodes, so quoting of hostile text (`: #`, quotes, line breaks) is decided in one
place.  Names are written as SQL spells them in a spec: plain when lower-case ASCII, else in
double quotes (`'"Odd Name"'`).
"""

from __future__ import annotations

import io
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq
from ruamel.yaml.error import CommentMark, YAMLError
from ruamel.yaml.tokens import CommentToken

from schemaverify.errors import SpecError
from schemaverify.model import edits as op
from schemaverify.model import normalize
from schemaverify.model.schema import Column, ForeignKey, Index, IndexKey, Policy
from schemaverify.model.spec import TableSpec
from schemaverify.sources.importmd.emit import render
from schemaverify.sources.specs.load import (
    COLUMN_KEYS,
    COLUMN_REF_KEYS,
    FK_KEYS,
    INDEX_KEYS,
    POLICY_KEYS,
    RLS_KEYS,
    TOP_KEYS,
)

_STYLES = ((2, 4, 2), (2, 2, 0), (4, 4, 2), (4, 6, 4), (4, 4, 0), (2, 4, 0), (3, 3, 0))
"""(mapping, sequence, offset) indentations tried, most common first."""
_PLAIN_NAME = re.compile(r"[a-z_][a-z0-9_$]*")
_SECTIONS = ("columns", "primary_key", "unique", "indexes", "foreign_keys", "rls", "ignore")
"""Top-level keys written as a block of their own, after a blank line, when added."""
_SUFFIX = re.compile(r"\s+WITHOUT\s+OVERLAPS\s*$", re.IGNORECASE)


@dataclass(frozen=True)
class Style:
    mapping: int
    sequence: int
    offset: int
    explicit_start: bool
    explicit_end: bool = False


def _yaml(style: Style) -> YAML:
    yaml = YAML()
    yaml.preserve_quotes = True
    yaml.width = 4096
    yaml.indent(mapping=style.mapping, sequence=style.sequence, offset=style.offset)
    yaml.explicit_start = style.explicit_start
    yaml.explicit_end = style.explicit_end
    return yaml


def detect_style(text: str) -> Style:
    """The indentation that dumps the file back as it is (else the usual one)."""
    start = text.lstrip().startswith("---")
    end = text.rstrip().endswith("\n...")
    for mapping, sequence, offset in _STYLES:
        style = Style(mapping, sequence, offset, start, end)
        try:
            if dump(load(text, style), style) == text:
                return style
        except YAMLError:
            break
    return Style(*_STYLES[0], start, end)


def load(text: str, style: Style) -> Any:
    return _yaml(style).load(text)


def dump(doc: Any, style: Style) -> str:
    out = io.StringIO()
    _yaml(style).dump(doc, out)
    return out.getvalue()


def spell_name(name: str) -> str:
    """A stored name as a spec writes it: plain when SQL would fold it to itself."""
    if _PLAIN_NAME.fullmatch(name):
        return name
    return '"' + name.replace('"', '""') + '"'


def spell_table(schema: str, name: str, own_schema: str) -> str:
    return spell_name(name) if schema == own_schema else f"{spell_name(schema)}.{spell_name(name)}"


def _key_text(key: IndexKey) -> str:
    text = f"({key.expression})" if key.is_expression else spell_name(key.expression)
    return text + (" DESC" if key.descending else "")


def _node(value: Any) -> Any:
    """`value` (plain data) as the round-trip node the emitter's spelling parses to."""
    doc = _yaml(Style(*_STYLES[0], False)).load(render({"v": value}))
    return doc["v"]


def apply(text: str, spec: TableSpec, operations: Sequence[op.Operation]) -> str:
    """The file's text with `operations` applied (the text itself when there are none)."""
    if not operations:
        return text
    if text.startswith("\ufeff"):  # a byte order mark the loader accepts stays
        return "\ufeff" + apply(text[1:], spec, operations)
    style = detect_style(text)
    try:
        doc = load(text, style)
    except YAMLError as err:  # the loader read it: only a ruamel limitation lands here
        raise SpecError.one(spec.path, 1, f"cannot rewrite: {err}") from None
    if not isinstance(doc, CommentedMap):
        raise SpecError.one(spec.path, 1, "cannot rewrite: the file is not a YAML mapping")
    _Editor(doc, spec).run(operations)
    return dump(doc, style)


# -- comments that belong to the next entry -------------------------------------------------


def _is_block(node: Any) -> bool:
    return (
        isinstance(node, (CommentedMap, CommentedSeq))
        and len(node) > 0
        and not (node.fa.flow_style())
    )


def _last(node: Any) -> Any:
    return list(node.keys())[-1] if isinstance(node, CommentedMap) else len(node) - 1


def _slot(parent: Any, key: Any) -> tuple[list[Any], int]:
    """Where the comment after the scalar or flow value `parent[key]` is stored."""
    if isinstance(parent, CommentedMap):
        return parent.ca.items.setdefault(key, [None, None, None, None]), 2
    return parent.ca.items.setdefault(key, [None, None, None, None]), 0


def _take_after(parent: Any, key: Any) -> str:
    """Remove and return the full comment lines after `parent[key]` (its last line's own
    end-of-line comment stays).  ruamel keeps them in the slot of the last scalar, or, after
    a flow collection, in the `end` of the enclosing block collections."""
    value = parent[key]
    if _is_block(value):
        rest = _take_after(value, _last(value))
        end = value.ca.end or []
        value.ca.end = []
        return rest + "".join(str(t.value) for t in end)
    slot, pos = _slot(parent, key)
    token = slot[pos]
    if token is None:
        return ""
    text = str(token.value)
    cut = text.find("\n")
    if cut < 0:
        return ""
    # A token holding only the line break stays: a flow value shares it with its own node.
    token.value = text[: cut + 1]
    return text[cut + 1 :]


def _put_after(parent: Any, key: Any, rest: str) -> None:
    """Add comment lines (as `_take_after` returned them) after `parent[key]`."""
    if not rest:
        return
    value = parent[key]
    if _is_block(value):
        _put_after(value, _last(value), rest)
        return
    slot, pos = _slot(parent, key)
    token = slot[pos]
    if token is None:
        slot[pos] = CommentToken("\n" + rest, CommentMark(0), None)
    else:
        token.value = str(token.value) + rest


def _delete_key(parent: CommentedMap, key: Any) -> None:
    """Delete `parent[key]`, handing the comment lines after it to the key before it."""
    keys = list(parent.keys())
    if key not in keys:
        return
    at = keys.index(key)
    rest = _take_after(parent, key)
    del parent[key]
    if at > 0:
        _put_after(parent, keys[at - 1], rest)


def _insert_key(parent: CommentedMap, key: str, value: Any, order: Sequence[str]) -> None:
    """Set `parent[key]`, a new key going where the format's key order puts it (and the
    comment lines that introduced the next key staying above that key)."""
    if key in parent:
        _replace_value(parent, key, value)
        return
    keys = list(parent.keys())
    rank = order.index(key) if key in order else len(order)
    at = 0
    for i, existing in enumerate(keys):
        if existing in order and order.index(existing) < rank:
            at = i + 1
    rest = _take_after(parent, keys[at - 1]) if at > 0 else ""
    parent.insert(at, key, value)
    if at > 0:
        if order is TOP_KEYS and key in _SECTIONS:
            _put_after(parent, keys[at - 1], "\n")  # a new section after a blank line
        _put_after(parent, key, rest)


def _replace_value(parent: CommentedMap, key: str, value: Any) -> None:
    """Replace a value, keeping what ruamel would not: the comment lines after the old value
    (they introduce the next key), and the room before an end-of-line comment (ruamel keeps
    the comment's column, which a longer value runs into: then the comment moves, with the
    gap it had up to two spaces)."""
    old = parent[key]
    rest = _take_after(parent, key)
    slot = parent.ca.items.get(key)
    token = slot[2] if slot and len(slot) > 2 else None
    position = parent.lc.data.get(key) if hasattr(parent, "lc") else None
    if token is not None and position is not None and not _is_block(old):
        column = token.column
        if isinstance(column, int) and isinstance(position[3], int):
            old_end = position[3] + len(_inline_text(old))
            gap = min(max(column - old_end, 1), 2)
            if _is_block(value):  # the comment now ends the `key:` line
                token.column = position[1] + len(str(key)) + 1 + gap
            else:
                token.column = max(column, position[3] + len(_inline_text(value)) + gap)
    parent[key] = value
    _put_after(parent, key, rest)


def _inline_text(value: Any) -> str:
    """A scalar or flow value as the one line of YAML it is written as (to measure it)."""
    text = dump({"v": value}, Style(*_STYLES[0], False)).split("\n", 1)[0]
    return text[3:] if text.startswith("v: ") else text


def _delete_item(seq: CommentedSeq, index: int) -> None:
    """Delete `seq[index]` (never the only item: the caller deletes the key then)."""
    rest = _take_after(seq, index)
    del seq[index]
    # ruamel keys item comments by position: shift those after the removed one.
    items = seq.ca.items
    for i in sorted(k for k in list(items) if isinstance(k, int) and k > index):
        items[i - 1] = items.pop(i)
    if index > 0:
        _put_after(seq, index - 1, rest)
    elif rest:
        # They introduced the item that is now the first: ruamel keeps such lines in the
        # list's own leading comments.
        if seq.ca.comment is None:
            seq.ca.comment = [None, []]
        if seq.ca.comment[1] is None:
            seq.ca.comment[1] = []
        seq.ca.comment[1].append(CommentToken(rest, CommentMark(0), None))


def _append_item(seq: CommentedSeq, value: Any) -> None:
    """Append, moving the comment lines after the old last item below the new one."""
    rest = _take_after(seq, len(seq) - 1) if len(seq) else ""
    seq.append(value)
    _put_after(seq, len(seq) - 1, rest)


# -- the edits ---------------------------------------------------------------------------------


def _name_of(item: Any) -> str | None:
    if not isinstance(item, CommentedMap):
        return None
    raw = item.get("name")
    if not isinstance(raw, str):
        return None
    try:
        return normalize.identifier(raw)
    except ValueError:
        return None


def _names(node: Any) -> tuple[str, ...] | None:
    """A list of (optionally `WITHOUT OVERLAPS`-suffixed) names, normalized."""
    if not isinstance(node, list):
        return None
    out: list[str] = []
    for item in node:
        if not isinstance(item, str):
            return None
        try:
            out.append(normalize.identifier(_SUFFIX.sub("", item)))
        except ValueError:
            return None
    return tuple(out)


class _Editor:
    def __init__(self, doc: CommentedMap, spec: TableSpec) -> None:
        self.doc = doc
        self.spec = spec
        indexes = doc.get("indexes")
        # Positions are the loaded spec's; capture the nodes before anything moves.
        self.index_nodes: list[Any] = list(indexes) if isinstance(indexes, CommentedSeq) else []

    def run(self, operations: Sequence[op.Operation]) -> None:
        # Removals first (they address what the spec documents), then changes, then adds.
        def rank(o: op.Operation) -> int:
            if isinstance(o, (op.RemoveColumn, op.RemoveIndex, op.RemoveForeignKey)):
                return 0
            if isinstance(o, (op.RemoveUnique, op.RemovePolicy)):
                return 1
            if isinstance(o, op.SetPrimaryKey):
                return 3
            if isinstance(o, (op.AddColumn, op.AddIndex, op.AddForeignKey)):
                return 4
            if isinstance(o, op.Stamp):
                return 5
            return 2

        for operation in sorted(operations, key=rank):
            self.apply(operation)

    # -- lookups ------------------------------------------------------------------------

    def _seq(self, key: str) -> CommentedSeq | None:
        node = self.doc.get(key)
        return node if isinstance(node, CommentedSeq) else None

    def _append(self, key: str, entry: dict[str, Any]) -> None:
        """Append an entry to a top-level list, creating the list (with the entry: an empty
        one would take the comments meant for the next section) when there is none."""
        item = _node([entry])[0]
        seq = self._seq(key)
        if seq is None:
            seq = CommentedSeq()
            seq.append(item)
            _insert_key(self.doc, key, seq, TOP_KEYS)
        else:
            _append_item(seq, item)

    def _column(self, name: str) -> CommentedMap | None:
        seq = self._seq("columns")
        for item in seq or ():
            if _name_of(item) == name:
                return item  # type: ignore[no-any-return]
        return None

    def _fk_entry(self, columns: tuple[str, ...]) -> CommentedMap | None:
        for item in self._seq("foreign_keys") or ():
            if isinstance(item, CommentedMap) and _names(item.get("columns")) == columns:
                return item
        return None

    def _set_rls(self, key: str, value: Any) -> None:
        """Set a key of the `rls` block, making the block (whole, before it goes into the
        document: an empty one would take the comments after it) from `rls: true|false`
        or from nothing."""
        node = self.doc.get("rls")
        if isinstance(node, CommentedMap):
            _insert_key(node, key, value, RLS_KEYS)
            return
        block = CommentedMap()
        if isinstance(node, bool) and key != "enabled":
            block["enabled"] = node
        block[key] = value
        _insert_key(self.doc, "rls", block, TOP_KEYS)

    def _remove_node(self, key: str, node: Any) -> None:
        seq = self._seq(key)
        if seq is None:
            return
        for i, item in enumerate(seq):
            if item is node:
                if len(seq) == 1:
                    _delete_key(self.doc, key)  # the comments after it go with the key's
                else:
                    _delete_item(seq, i)
                break

    # -- dispatch -------------------------------------------------------------------------

    def apply(self, o: op.Operation) -> None:
        if isinstance(o, op.SetColumnType):
            self._set_column(o.column, "type", str(o.type))
        elif isinstance(o, op.SetNullable):
            self._set_column(o.column, "nullable", True if o.nullable else None)
        elif isinstance(o, op.SetDefault):
            self._set_column(o.column, "default", o.default)
        elif isinstance(o, op.SetIdentity):
            self._set_column(o.column, "identity", o.identity)
        elif isinstance(o, op.SetGenerated):
            self._set_generated(o)
        elif isinstance(o, op.SetValues):
            self._set_column(o.column, "values", list(o.values))
        elif isinstance(o, op.AddColumn):
            self._append("columns", column_entry(o.column))
        elif isinstance(o, op.RemoveColumn):
            self._remove_column(o.column)
        elif isinstance(o, op.SetPrimaryKey):
            self._set_primary_key(o)
        elif isinstance(o, op.RemoveUnique):
            self._remove_unique(o.columns)
        elif isinstance(o, op.AddIndex):
            self._add_index(o.index)
        elif isinstance(o, op.ReplaceIndex):
            self._replace_index(o.position, o.index)
        elif isinstance(o, op.RemoveIndex):
            if o.position < len(self.index_nodes):
                self._remove_node("indexes", self.index_nodes[o.position])
        elif isinstance(o, op.AddForeignKey):
            self._append("foreign_keys", fk_entry(o.foreign_key, self.spec.table.schema))
        elif isinstance(o, op.ReplaceForeignKey):
            self._replace_fk(o.columns, o.foreign_key)
        elif isinstance(o, op.RemoveForeignKey):
            self._remove_fk(o.columns)
        elif isinstance(o, op.SetRlsEnabled):
            self._set_rls_enabled(o.enabled)
        elif isinstance(o, op.SetRlsForced):
            self._set_rls("forced", o.forced)
        elif isinstance(o, op.SetAccessKinds):
            self._set_access(o.kinds)
        elif isinstance(o, op.ReplacePolicy):
            self._replace_policy(o.name, o.policy)
        elif isinstance(o, op.RemovePolicy):
            self._remove_policy(o.name)
        elif isinstance(o, op.SetApi):
            _insert_key(self.doc, "api", o.api, TOP_KEYS)
        elif isinstance(o, op.Stamp):
            _insert_key(self.doc, "certainty", "verified", TOP_KEYS)
            stamp: dict[str, str] = {"date": o.date}
            if o.against:
                stamp["against"] = o.against
            _insert_key(self.doc, "verified", _node(stamp), TOP_KEYS)

    # -- columns ------------------------------------------------------------------------

    def _set_column(self, name: str, key: str, value: Any) -> None:
        entry = self._column(name)
        if entry is None:
            return
        if value is None:
            _delete_key(entry, key)
        else:
            _insert_key(entry, key, _node(value), COLUMN_KEYS)

    def _set_generated(self, o: op.SetGenerated) -> None:
        entry = self._column(o.column)
        if entry is None:
            return
        if o.expression is None:
            _delete_key(entry, "generated")
            return
        current = entry.get("generated")
        if isinstance(current, CommentedMap):
            _insert_key(current, "expression", _node(o.expression), ("expression", "kind"))
            if "kind" in current and o.kind:
                current["kind"] = o.kind
            return
        _insert_key(entry, "generated", _node(o.expression), COLUMN_KEYS)

    def _remove_column(self, name: str) -> None:
        entry = self._column(name)
        if entry is not None:
            self._remove_node("columns", entry)
        for position, index in enumerate(self.spec.table.indexes):
            named = name in index.columns or name in index.include
            if named and position < len(self.index_nodes):
                self._remove_node("indexes", self.index_nodes[position])
        for item in list(self._seq("unique") or ()):
            names = _names(item)
            if names is not None and name in names:
                self._remove_node("unique", item)
        pk = self.doc.get("primary_key")
        if isinstance(pk, CommentedSeq):
            for i, item in enumerate(list(pk)):
                if _names([item]) == (name,):
                    _delete_item(pk, i)
                    break
            if not pk:
                _delete_key(self.doc, "primary_key")
        for item in list(self._seq("foreign_keys") or ()):
            names = _names(item.get("columns")) if isinstance(item, CommentedMap) else None
            if names is not None and name in names:
                self._remove_node("foreign_keys", item)

    # -- keys ---------------------------------------------------------------------------

    def _set_primary_key(self, o: op.SetPrimaryKey) -> None:
        listed = isinstance(self.doc.get("primary_key"), CommentedSeq)
        for item in self._seq("columns") or ():
            if isinstance(item, CommentedMap) and "primary_key" in item:
                _delete_key(item, "primary_key")
        if not o.columns:
            _delete_key(self.doc, "primary_key")
            for node in list(self._seq("indexes") or ()):
                if isinstance(node, CommentedMap) and node.get("primary_key") is True:
                    self._remove_node("indexes", node)
            return
        if len(o.columns) == 1 and not o.without_overlaps and not listed:
            entry = self._column(o.columns[0])
            if entry is not None:
                _insert_key(entry, "primary_key", True, COLUMN_KEYS)
                return
        names = [spell_name(c) for c in o.columns]
        if o.without_overlaps:
            names[-1] += " WITHOUT OVERLAPS"
        _insert_key(self.doc, "primary_key", _node(names), TOP_KEYS)

    def _remove_unique(self, columns: tuple[str, ...]) -> None:
        if len(columns) == 1:
            entry = self._column(columns[0])
            if entry is not None and "unique" in entry:
                _delete_key(entry, "unique")
        for item in list(self._seq("unique") or ()):
            names = _names(item)
            if names is not None and set(names) == set(columns):
                self._remove_node("unique", item)

    # -- indexes --------------------------------------------------------------------------

    def _add_index(self, index: Index) -> None:
        seq = self._seq("indexes")
        if seq is None or not index.primary:
            self._append("indexes", index_entry(index))
            return
        if index.primary:
            seq.insert(0, _node([{"primary_key": True}])[0])
            items = seq.ca.items
            for i in sorted((k for k in list(items) if isinstance(k, int)), reverse=True):
                items[i + 1] = items.pop(i)
            return

    def _replace_index(self, position: int, live: Index) -> None:
        if position >= len(self.index_nodes) or position >= len(self.spec.table.indexes):
            return
        node = self.index_nodes[position]
        if not isinstance(node, CommentedMap):
            return
        stated = self.spec.table.indexes[position]
        if [k.descending for k in stated.keys] != [k.descending for k in live.keys]:
            node["columns"] = _node([_key_text(k) for k in live.keys])
        if stated.unique and not live.unique:
            _delete_key(node, "unique")
            _delete_key(node, "nulls_not_distinct")
        elif live.unique and not stated.unique:
            _insert_key(node, "unique", True, INDEX_KEYS)
        if stated.method != live.method:
            if live.method == "btree":
                _delete_key(node, "method")
            else:
                _insert_key(node, "method", live.method, INDEX_KEYS)
        if live.unique and stated.nulls_not_distinct != live.nulls_not_distinct:
            if live.nulls_not_distinct:
                _insert_key(node, "nulls_not_distinct", True, INDEX_KEYS)
            else:
                _delete_key(node, "nulls_not_distinct")
        if stated.partial_any:
            if live.predicate is None:
                _delete_key(node, "partial")
        elif stated.predicate != live.predicate:
            if live.predicate is None:
                _delete_key(node, "where")
            else:
                _insert_key(node, "where", _node(live.predicate), INDEX_KEYS)

    # -- foreign keys -----------------------------------------------------------------------

    def _replace_fk(self, columns: tuple[str, ...], live: ForeignKey) -> None:
        entry = self._fk_entry(columns)
        stated = next((f for f in self.spec.table.foreign_keys if f.columns == columns), None)
        if stated is None:
            return
        target = (stated.ref_qualified, stated.ref_columns) != (
            live.ref_qualified,
            live.ref_columns,
        )
        column = self._column(columns[0]) if len(columns) == 1 else None
        column_ref = column.get("references") if column is not None else None
        if entry is None:
            if column is None or column_ref is None:
                return
            if target or live.period != stated.period:
                _delete_key(column, "references")
                self._append("foreign_keys", fk_entry(live, self.spec.table.schema))
                return
            shorthand = column_ref_entry(live, self.spec.table.schema)
            _insert_key(column, "references", _node(shorthand), COLUMN_KEYS)
            return
        if target:
            table = spell_table(live.ref_schema, live.ref_table, self.spec.table.schema)
            columns_ = _node([spell_name(c) for c in live.ref_columns])
            refs = entry.get("references")
            if isinstance(refs, CommentedMap):  # edited in place: its comments stay
                _insert_key(refs, "table", table, ("table", "columns"))
                _insert_key(refs, "columns", columns_, ("table", "columns"))
            else:
                entry["references"] = _node({"table": table, "columns": list(columns_)})
            if column is not None and column_ref is not None:
                _delete_key(column, "references")
        for key, value in (("on_delete", live.on_delete), ("on_update", live.on_update)):
            if getattr(stated, key) is not None and getattr(stated, key) != value:
                _insert_key(entry, key, value, FK_KEYS)
        if stated.enforced != live.enforced:
            if live.enforced:
                _delete_key(entry, "enforced")
            else:
                _insert_key(entry, "enforced", False, FK_KEYS)
        if stated.period != live.period:
            if live.period:
                _insert_key(entry, "period", True, FK_KEYS)
            else:
                _delete_key(entry, "period")

    def _remove_fk(self, columns: tuple[str, ...]) -> None:
        entry = self._fk_entry(columns)
        if entry is not None:
            self._remove_node("foreign_keys", entry)
        if len(columns) == 1:
            column = self._column(columns[0])
            if column is not None and "references" in column:
                _delete_key(column, "references")

    # -- row-level security -----------------------------------------------------------------

    def _set_rls_enabled(self, enabled: bool) -> None:
        node = self.doc.get("rls")
        if isinstance(node, bool) or (node is None and "rls" in self.doc):
            self.doc["rls"] = enabled  # `rls: true` stays a scalar until more is said
        elif isinstance(node, CommentedMap) and enabled and "enabled" not in node:
            return  # a block means enabled
        else:
            self._set_rls("enabled", enabled)

    def _set_access(self, kinds: tuple[str, ...]) -> None:
        if not kinds:
            node = self.doc.get("rls")
            if isinstance(node, CommentedMap):
                _delete_key(node, "access")
            return
        self._set_rls("access", _node(list(kinds)))

    def _policy_node(self, name: str) -> tuple[CommentedSeq, int] | None:
        block = self.doc.get("rls")
        seq = block.get("policies") if isinstance(block, CommentedMap) else None
        if not isinstance(seq, CommentedSeq):
            return None
        for i, item in enumerate(seq):
            if isinstance(item, CommentedMap) and item.get("name") == name:
                return seq, i
        return None

    def _replace_policy(self, name: str, live: Policy) -> None:
        found = self._policy_node(name)
        stated = next(
            (
                p
                for p in (self.spec.table.rls.policies if self.spec.table.rls else ())
                if p.name == name
            ),
            None,
        )
        if found is None or stated is None:
            return
        seq, i = found
        node = seq[i]
        if stated.command != live.command:
            _insert_key(node, "command", live.command, POLICY_KEYS)
        if sorted(stated.roles) != sorted(live.roles):
            _insert_key(node, "roles", _node([spell_name(r) for r in live.roles]), POLICY_KEYS)
        if stated.permissive != live.permissive:
            _insert_key(node, "permissive", live.permissive, POLICY_KEYS)
        for key in ("using", "with_check"):
            want, have = getattr(stated, key), getattr(live, key)
            if want is not None and want != have:
                if have is None:
                    _delete_key(node, key)
                else:
                    _insert_key(node, key, _node(have), POLICY_KEYS)

    def _remove_policy(self, name: str) -> None:
        found = self._policy_node(name)
        if found is None:
            return
        seq, i = found
        _delete_item(seq, i)
        block = self.doc.get("rls")
        if isinstance(block, CommentedMap) and not seq:
            _delete_key(block, "policies")


# -- new entries, as plain data for the emitter --------------------------------------------------


def column_entry(column: Column) -> dict[str, Any]:
    entry: dict[str, Any] = {"name": spell_name(column.name), "type": str(column.type)}
    if column.nullable:
        entry["nullable"] = True
    if column.default is not None:
        entry["default"] = column.default
    if column.identity is not None:
        entry["identity"] = column.identity
    if column.generated is not None:
        if column.generated_kind == "virtual":
            entry["generated"] = {"expression": column.generated, "kind": "virtual"}
        else:
            entry["generated"] = column.generated
    return entry


def index_entry(index: Index) -> dict[str, Any]:
    if index.primary:
        return {"primary_key": True}
    entry: dict[str, Any] = {"columns": [_key_text(k) for k in index.keys]}
    if index.unique:
        entry["unique"] = True
    if index.method != "btree":
        entry["method"] = index.method
    if index.predicate is not None:
        entry["where"] = index.predicate
    if index.include:
        entry["include"] = [spell_name(c) for c in index.include]
    if index.name:
        entry["name"] = index.name
    if index.unique and index.nulls_not_distinct:
        entry["nulls_not_distinct"] = True
    return entry


def fk_entry(fk: ForeignKey, own_schema: str) -> dict[str, Any]:
    entry: dict[str, Any] = {
        "columns": [spell_name(c) for c in fk.columns],
        "references": {
            "table": spell_table(fk.ref_schema, fk.ref_table, own_schema),
            "columns": [spell_name(c) for c in fk.ref_columns],
        },
    }
    if fk.on_delete and fk.on_delete != "no action":
        entry["on_delete"] = fk.on_delete
    if fk.on_update and fk.on_update != "no action":
        entry["on_update"] = fk.on_update
    if not fk.enforced:
        entry["enforced"] = False
    if fk.period:
        entry["period"] = True
    return entry


def column_ref_entry(fk: ForeignKey, own_schema: str) -> dict[str, Any]:
    """A column's `references` mapping (one column, no PERIOD)."""
    entry: dict[str, Any] = {
        "table": spell_table(fk.ref_schema, fk.ref_table, own_schema),
        "column": spell_name(fk.ref_columns[0]),
    }
    if fk.on_delete and fk.on_delete != "no action":
        entry["on_delete"] = fk.on_delete
    if fk.on_update and fk.on_update != "no action":
        entry["on_update"] = fk.on_update
    if not fk.enforced:
        entry["enforced"] = False
    assert set(entry) <= set(COLUMN_REF_KEYS)
    return entry
