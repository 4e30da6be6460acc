"""Reading fact sheets: YAML in, plain Python values with line numbers out.

Every scalar is kept as the exact string the author typed (YAML 1.1's own
resolution would turn ``59.96`` into a binary float, ``2019-04-06`` into a date
and ``no`` into ``False``); the typed models in :mod:`fupin.graph.schema` then
convert them, decimals exactly. Each value's line is recorded under its key
path so every later error can name the line.

Errors: :class:`SheetError` (file, line, key path, message).
"""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from yaml.nodes import MappingNode, ScalarNode, SequenceNode

Path_ = tuple[str | int, ...]


@dataclass
class SheetError(Exception):
    """A problem in a fact sheet, located as precisely as we can.

    ``str(err)`` reads ``file:line: key.path: message``.
    """

    file: Path | str
    line: int | None
    keypath: str
    message: str

    def __str__(self) -> str:
        loc = f"{self.file}:{self.line}" if self.line else f"{self.file}"
        where = f" {self.keypath}:" if self.keypath else ""
        return f"{loc}:{where} {self.message}"


@dataclass
class RawSheet:
    """A parsed sheet: ``data`` (dicts, lists, strings, None) and ``lines``,
    the 1-based line of every key path (``("observations", 3, "value")``)."""

    file: Path
    data: Any
    lines: dict[Path_, int] = field(default_factory=dict)

    def line(self, path: Path_) -> int | None:
        """Line of ``path`` or of its nearest recorded ancestor."""
        path = tuple(path)
        while path:
            if path in self.lines:
                return self.lines[path]
            path = path[:-1]
        return self.lines.get((), 1)

    def error(self, path: Path_, message: str) -> SheetError:
        return SheetError(self.file, self.line(path), keypath(path), message)


def keypath(path: Path_) -> str:
    """``("observations", 3, "value")`` → ``observations[3].value``."""
    out = ""
    for p in path:
        out += f"[{p}]" if isinstance(p, int) else (f".{p}" if out else str(p))
    return out


_NULLS = {"", "~", "null", "Null", "NULL"}


def load(file: Path | str) -> RawSheet:
    """Parse one YAML fact sheet.

    Raises :class:`SheetError` for unreadable files, YAML syntax errors (with
    the parser's line), duplicate keys, non-string keys, anchors/aliases and
    tags (kept out so every value is visible where it is used).
    """
    file = Path(file)
    try:
        text = file.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as e:
        raise SheetError(file, None, "", f"cannot read: {e}") from None
    try:
        root = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.YAMLError as e:
        mark = getattr(e, "problem_mark", None) or getattr(e, "context_mark", None)
        line = mark.line + 1 if mark else None
        problem = getattr(e, "problem", None) or str(e)
        raise SheetError(file, line, "", f"YAML syntax error: {problem}") from None
    sheet = RawSheet(file, None)
    sheet.lines[()] = 1
    sheet.data = _build(root, (), sheet) if root is not None else {}
    return sheet


def _build(node, path: Path_, sheet: RawSheet):
    sheet.lines.setdefault(path, node.start_mark.line + 1)
    if node.tag not in _PLAIN_TAGS:
        raise sheet.error(path, f"YAML tag {node.tag!r} is not allowed; write plain values")
    if isinstance(node, ScalarNode):
        if node.style is None and node.value in _NULLS:
            return None
        return node.value
    if isinstance(node, SequenceNode):
        return [_build(n, path + (i,), sheet) for i, n in enumerate(node.value)]
    if isinstance(node, MappingNode):
        out: dict[str, Any] = {}
        for k, v in node.value:
            if not isinstance(k, ScalarNode) or k.tag == "tag:yaml.org,2002:merge":
                raise SheetError(sheet.file, k.start_mark.line + 1, keypath(path),
                                 "keys must be plain strings (no merge keys or complex keys)")
            key = k.value
            if key in out:
                raise SheetError(sheet.file, k.start_mark.line + 1, keypath(path + (key,)),
                                 f"duplicate key {key!r} (first on line {sheet.lines[path + (key,)]})")
            sheet.lines[path + (key,)] = k.start_mark.line + 1
            out[key] = _build(v, path + (key,), sheet)
        return out
    raise sheet.error(path, "unsupported YAML node")  # pragma: no cover


_PLAIN_TAGS = {
    "tag:yaml.org,2002:str", "tag:yaml.org,2002:int", "tag:yaml.org,2002:float",
    "tag:yaml.org,2002:bool", "tag:yaml.org,2002:null", "tag:yaml.org,2002:timestamp",
    "tag:yaml.org,2002:seq", "tag:yaml.org,2002:map",
}
