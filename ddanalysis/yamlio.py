"""Reading data files: the UTF-8 check every text data file gets, and YAML parsing (libyaml's C
parser where installed, about 10x faster, else PyYAML's)."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path
from typing import Any

import yaml

from .errors import DataFileError

_BOM = b"\xef\xbb\xbf"


#: The most values a YAML data file may expand to through aliases (``*name``): far above any real file (the
#: largest bundled one holds a few thousand), far below what a few lines of nested aliases can make.
MAX_EXPANDED_VALUES = 1_000_000


class _Loader(getattr(yaml, "CSafeLoader", yaml.SafeLoader)):  # type: ignore[misc]
    """The safe loader, stricter in two ways a data file never needs: a key given twice in one mapping (YAML
    would keep the last without a word, so a second savings target would silently replace the first) and aliases
    that expand a small file into a huge one (a few lines of nested ``*name`` references made a 1 KB file take
    66 s); a few aliases, as a YAML writer puts them for a repeated value, are fine."""

    def construct_document(self, node: yaml.Node) -> Any:
        expanded = _expanded_size(node)
        if expanded > MAX_EXPANDED_VALUES:
            raise yaml.constructor.ConstructorError(
                None,
                None,
                f"the aliases (*name) expand this file to about {expanded:,} values, more than the "
                f"{MAX_EXPANDED_VALUES:,} a data file may hold; give the values in full",
                node.start_mark,
            )
        return super().construct_document(node)

    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> dict[Any, Any]:
        seen: dict[Any, yaml.Mark] = {}
        for key_node, _value in node.value:
            if not isinstance(key_node, yaml.ScalarNode):
                continue
            key = self.construct_object(key_node)  # as read: 1 and 01, yes and true, are one key
            if not isinstance(key, (str, int, float, bool, dt.date)):
                continue
            if key in seen:
                raise yaml.constructor.ConstructorError(
                    "while reading a mapping",
                    node.start_mark,
                    f"found the key {key_node.value!r} twice (first at line {seen[key].line + 1}); give each key "
                    "once (YAML would keep only the last, silently)",
                    key_node.start_mark,
                )
            seen[key] = key_node.start_mark
        return super().construct_mapping(node, deep=deep)


def _expanded_size(root: yaml.Node) -> int:
    """How many values ``root`` stands for with every alias written out: 1 for a scalar, 1 plus its parts' sizes
    for a sequence or mapping, each shared node counted wherever it is used. Worked bottom-up on an explicit
    stack, each node once (so a deeply nested file cannot exhaust Python's recursion, and a huge expansion is
    counted quickly); a node inside itself (a recursive alias) counts once there."""
    memo: dict[int, int] = {}
    stack: list[tuple[yaml.Node, bool]] = [(root, False)]
    while stack:
        node, children_done = stack.pop()
        parts = _parts(node)
        if children_done:
            memo[id(node)] = 1 + sum(memo[id(part)] for part in parts)
        elif id(node) not in memo:
            memo[id(node)] = 1  # until its parts are counted: what a node inside itself counts as
            stack.append((node, True))
            stack.extend((part, False) for part in parts if id(part) not in memo)
    return memo[id(root)]


def _parts(node: yaml.Node) -> list[yaml.Node]:
    """A node's direct parts: a sequence's items, a mapping's keys and values; none for a scalar."""
    if isinstance(node, yaml.SequenceNode):
        return list(node.value)
    if isinstance(node, yaml.MappingNode):
        return [part for pair in node.value for part in pair]
    return []


class YAMLSyntaxError(yaml.YAMLError):
    """A YAML syntax error told in one line: where (line, column), what, and the line's text."""


def _syntax_error(text: str, exc: yaml.MarkedYAMLError) -> YAMLSyntaxError:
    mark = exc.problem_mark or exc.context_mark
    if mark is None:
        return YAMLSyntaxError(str(exc))
    lines = text.splitlines()
    shown = lines[mark.line].strip() if mark.line < len(lines) else ""
    shown = shown if len(shown) <= 60 else shown[:57] + "..."
    what = exc.problem or exc.context or "syntax error"
    context = ""
    if exc.context and exc.problem and exc.context_mark is not None:
        context = f" ({exc.context} at line {exc.context_mark.line + 1}, column {exc.context_mark.column + 1})"
    where = f"line {mark.line + 1}, column {mark.column + 1}"
    return YAMLSyntaxError(f"{where}: {what}{context}" + (f"; the line reads {shown!r}" if shown else ""))


#: What YAML reads as a date (its timestamp form, date part): a value like this that is no real day
#: makes the parser fail without saying where.
_DATE_LIKE = re.compile(r"(?<![\w.-])(\d{4})-(\d{1,2})-(\d{1,2})(?![\w.-])")


def _impossible_date(text: str, exc: ValueError | OverflowError) -> YAMLSyntaxError:
    """The error for a YAML date that is no real day ('2015-13-01', '2015-02-30'), naming its line."""
    for number, line in enumerate(text.splitlines(), start=1):
        for m in _DATE_LIKE.finditer(line.split("#", 1)[0]):
            try:
                dt.date(*map(int, m.groups()))
            except ValueError as why:
                return YAMLSyntaxError(
                    f"line {number}, column {m.start() + 1}: {m.group(0)!r} is not a date ({why}); "
                    "expected a real day written YYYY-MM-DD, like 2015-04-01"
                )
    return YAMLSyntaxError(f"a value could not be read ({exc}); dates are written YYYY-MM-DD, like 2015-04-01")


def load_yaml_text(text: str) -> Any:
    """Parse YAML text safely (no arbitrary objects).

    A syntax error raises :class:`YAMLSyntaxError` (a ``yaml.YAMLError``) whose message is one line:
    'line 2, column 1: did not find expected ... ; the line reads ...'. So does a date that is no real
    day ('2015-02-30'), which YAML's date reader rejects without saying where: the message names its line.
    """
    try:
        return yaml.load(text, Loader=_Loader)  # noqa: S506 - a safe loader
    except yaml.MarkedYAMLError as exc:
        raise _syntax_error(text, exc) from exc
    except (ValueError, OverflowError) as exc:  # a constructor's own error: an impossible date
        raise _impossible_date(text, exc) from exc


def not_utf8(path: Path | str, raw: bytes, exc: UnicodeDecodeError, *, line_word: str = "line") -> DataFileError:
    """The error for a data file that is not UTF-8: the file, the line, the byte and the text around it.

    ``raw`` is the file's bytes without a byte-order mark and ``exc`` the error from decoding them.
    ``line_word`` is 'line' (YAML) or 'row' (CSV, where rows are counted as lines).
    """
    offset = exc.start
    line = raw.count(b"\n", 0, offset) + 1
    start = raw.rfind(b"\n", 0, offset) + 1
    end = raw.find(b"\n", offset)
    end = len(raw) if end < 0 else end
    lo, hi = max(start, offset - 30), min(end, offset + 30)  # the text around the byte, on its line
    near = (
        ("..." if lo > start else "")
        + raw[lo:hi].decode("cp1252", errors="replace").strip()
        + ("..." if hi < end else "")
    )
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        guess = " It looks saved as UTF-16 (Excel's 'Unicode Text')."
    else:
        try:
            raw.decode("cp1252")
            guess = " It looks saved as Windows-1252 ('ANSI'), e.g. a '£' or 'é' typed in Excel or Notepad."
        except UnicodeDecodeError:
            guess = ""
    how = (
        "in Excel: Save As 'CSV UTF-8 (Comma delimited)'"
        if Path(path).suffix.lower() == ".csv"
        else "in a text editor, choose the encoding UTF-8"
    )
    return DataFileError(
        f"{path}, {line_word} {line}: not UTF-8 text (byte 0x{raw[offset]:02x} in {near!r}).{guess} "
        f"Save the file as UTF-8 ({how}) and load it again."
    )


def read_utf8(path: Path | str) -> str:
    """The text of a data file, which must be UTF-8 (a byte-order mark is allowed).

    A file in another encoding raises :class:`DataFileError` (see :func:`not_utf8`); ``OSError``
    (e.g. ``FileNotFoundError``) passes through for the caller to explain.
    """
    raw = Path(path).read_bytes()
    raw = raw[len(_BOM) :] if raw.startswith(_BOM) else raw
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise not_utf8(path, raw, exc) from exc


def read_yaml_mapping(path: Path, what: str, *, expected: str | None = None) -> dict[str, Any]:
    """Read a UTF-8 YAML file whose top level must be a mapping; every failure names the file and ``what``.

    ``expected`` words what the top level should be when it is not a mapping (e.g. "a mapping with a
    'projects' list"); by default the message says a mapping was expected.
    """
    try:
        raw = load_yaml_text(read_utf8(path))
    except FileNotFoundError as exc:
        raise DataFileError(f"{path}: {what} not found") from exc
    except yaml.YAMLError as exc:
        raise DataFileError(f"{path}: not valid YAML ({exc})") from exc
    if not isinstance(raw, dict):
        raise DataFileError(
            f"{path}: expected {expected}" if expected else f"{path}: expected a mapping at the top level of the {what}"
        )
    return raw
