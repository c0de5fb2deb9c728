"""Plain-data files for caches: results as JSON and Parquet in a zip, never pickles; private folders.

A pickle runs code when it is loaded, so whoever can write a cache file can run code as the
account that reads it. The caches here hold data only:

- :func:`dumps` / :func:`loads` turn a value into bytes and back: a zip (stored, not compressed)
  holding ``manifest.json`` (the value as a JSON tree) and one Parquet file per DataFrame or Series.
  Dataclasses are walked field by field (nested ones too, such as an appraisal's plans), so a field
  added to :class:`ddanalysis.result.AppraisalResult` is cached without changing this module, as
  long as it is made of the types below. Anything else raises :class:`Unencodable` (the caller
  computes instead of caching). Each frame is read back when written and must equal the original,
  dtypes, index and column types included, or it is not written.
- Loading imports nothing but ``ddanalysis`` modules (for the dataclasses and enums named in the
  manifest), and only builds dataclasses, enums, frames and plain values: a forged file can at
  worst hold wrong numbers, which a private folder prevents.
- :func:`private_dir` creates a folder 0700, or accepts an existing one only if it is a folder
  owned by this account and not writable by its group or by others (it tightens a folder of ours
  that others can read to 0700); anything else raises :class:`UnsafeFolder`.

Types: None, bool, int, float (NaN and infinities too), str, numpy bool/int/float scalars,
``datetime.date``/``datetime.datetime``, ``pandas.Timestamp``, list, tuple, dict (any encodable keys),
dataclasses and enums defined in ``ddanalysis``, ``pandas.DataFrame`` and ``pandas.Series`` (with
string column names; ``attrs`` kept).

>>> from ddanalysis.plaindata import dumps, loads
>>> loads(dumps({"a": (1, 2.5, None)}))
{'a': (1, 2.5, None)}
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import enum
import importlib
import io
import json
import math
import os
import stat
import zipfile
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from pydantic import BaseModel

#: Bump when the layout of the manifest changes (files of another format are ignored).
FORMAT = "ddanalysis-plaindata/1"
MANIFEST = "manifest.json"
#: Only classes from these modules are built when loading.
_TRUSTED_PREFIX = "ddanalysis."


class Unencodable(TypeError):
    """A value of a type this format does not hold (the message names where in the value)."""


class UnsafeFolder(OSError):
    """A cache folder that another account owns or can write to."""


# =================================================================================================
# folders
# =================================================================================================


def private_dir(path: Path | str) -> Path:
    """``path`` as a folder only this account can use: created 0700 when missing (parents as
    usual), else checked. Raises :class:`UnsafeFolder` if it is not a folder, belongs to another
    account, or its group or others can write to it; a folder of ours that others can only read is
    tightened to 0700. Returns the path."""
    path = Path(path)
    if not path.exists() and not path.is_symlink():
        path.parent.mkdir(parents=True, exist_ok=True)
        try:
            os.mkdir(path, 0o700)
        except FileExistsError:
            pass  # made meanwhile by someone: checked below
    uid = os.geteuid()
    lst = os.lstat(path)
    if stat.S_ISLNK(lst.st_mode) and lst.st_uid != uid:
        raise UnsafeFolder(f"{path}: a symbolic link owned by uid {lst.st_uid}, not this account (uid {uid})")
    st = os.stat(path)
    if not stat.S_ISDIR(st.st_mode):
        raise UnsafeFolder(f"{path}: not a folder")
    if st.st_uid != uid:
        raise UnsafeFolder(f"{path}: owned by uid {st.st_uid}, not this account (uid {uid})")
    if st.st_mode & (stat.S_IWGRP | stat.S_IWOTH):
        raise UnsafeFolder(
            f"{path}: writable by its group or by others (mode {stat.S_IMODE(st.st_mode):04o}); "
            f"run 'chmod 700 {path}' after checking what is in it"
        )
    if st.st_mode & 0o077:
        os.chmod(path, 0o700)
    return path


def read_private_file(path: Path) -> bytes | None:
    """The bytes of ``path`` if it is a regular file owned by this account and writable by no one
    else (not following a symbolic link); None when it is missing. Raises :class:`UnsafeFolder`
    for a file that fails the check."""
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0))
    except FileNotFoundError:
        return None
    with os.fdopen(fd, "rb") as fh:
        st = os.fstat(fh.fileno())
        if not stat.S_ISREG(st.st_mode) or st.st_uid != os.geteuid() or st.st_mode & (stat.S_IWGRP | stat.S_IWOTH):
            raise UnsafeFolder(f"{path}: not a private file of this account")
        return fh.read()


# =================================================================================================
# encoding
# =================================================================================================


def dumps(value: Any) -> bytes:
    """``value`` as plain-data bytes (see the module's docstring). Raises :class:`Unencodable`."""
    enc = _Encoder()
    tree = enc.encode(value, "value")
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", compression=zipfile.ZIP_STORED) as zf:
        zf.writestr(MANIFEST, json.dumps({"format": FORMAT, "value": tree}, allow_nan=True))
        for name, data in enc.members.items():
            zf.writestr(name, data)
    return buf.getvalue()


def loads(data: bytes) -> Any:
    """The value :func:`dumps` wrote. Raises ``ValueError`` for anything else."""
    try:
        zf = zipfile.ZipFile(io.BytesIO(data))
    except zipfile.BadZipFile as exc:
        raise ValueError("not a plain-data file") from exc
    with zf:
        doc = json.loads(zf.read(MANIFEST))
        if not isinstance(doc, dict) or doc.get("format") != FORMAT:
            raise ValueError(f"not a {FORMAT} file")
        return _Decoder(zf).decode(doc["value"])


def _class_name(cls: type) -> str:
    return f"{cls.__module__}:{cls.__qualname__}"


class _Encoder:
    def __init__(self) -> None:
        self.members: dict[str, bytes] = {}

    def encode(self, v: Any, where: str) -> Any:  # noqa: C901 - one branch per type, flat
        if v is None or isinstance(v, (bool, str)):
            return v
        if isinstance(v, enum.Enum):
            return {"$": "enum", "cls": self._trusted(type(v), where), "v": self.encode(v.value, f"{where}.value")}
        if isinstance(v, int) and type(v) is int:
            return v
        if isinstance(v, float) and type(v) is float:
            return v if math.isfinite(v) else {"$": "float", "v": repr(v)}
        if isinstance(v, np.generic):
            if v.dtype.kind not in "biuf":
                raise Unencodable(f"{where}: numpy {v.dtype} scalars are not cached")
            item = v.item()
            if isinstance(item, float) and not math.isfinite(item):
                item = repr(item)
            return {"$": "np", "dtype": v.dtype.str, "v": item}
        if isinstance(v, pd.Timestamp):
            return {"$": "timestamp", "v": v.isoformat()}
        if type(v) is dt.datetime:
            return {"$": "datetime", "v": v.isoformat()}
        if type(v) is dt.date:
            return {"$": "date", "v": v.isoformat()}
        if isinstance(v, pd.DataFrame):
            return {"$": "frame", "m": self._frame(v, where), "attrs": self.encode(dict(v.attrs), f"{where}.attrs")}
        if isinstance(v, pd.Series):
            frame = v.to_frame(name="value")
            frame.attrs = {}
            return {
                "$": "series",
                "m": self._frame(frame, where),
                "name": self.encode(v.name, f"{where}.name"),
                "attrs": self.encode(dict(v.attrs), f"{where}.attrs"),
            }
        if dataclasses.is_dataclass(v) and not isinstance(v, type):
            return {
                "$": "dataclass",
                "cls": self._trusted(type(v), where),
                "v": {  # a field marked memory_only (a live object such as a model) is cached as None
                    f.name: None
                    if f.metadata.get("memory_only")
                    else self.encode(getattr(v, f.name), f"{where}.{f.name}")
                    for f in dataclasses.fields(v)
                },
            }
        if isinstance(v, BaseModel):  # ddanalysis's own validated records (pydantic), by their fields
            return {
                "$": "model",
                "cls": self._trusted(type(v), where),
                "v": {k: self.encode(getattr(v, k), f"{where}.{k}") for k in type(v).model_fields},
            }
        if isinstance(v, (list, tuple)) and type(v) in (list, tuple):
            return {"$": type(v).__name__, "v": [self.encode(x, f"{where}[{i}]") for i, x in enumerate(v)]}
        if isinstance(v, dict) or (hasattr(v, "items") and hasattr(v, "keys") and hasattr(v, "__getitem__")):
            return {
                "$": "dict",
                "v": [[self.encode(k, f"{where} key"), self.encode(x, f"{where}[{k!r}]")] for k, x in v.items()],
            }
        raise Unencodable(f"{where}: values of type {type(v).__module__}.{type(v).__qualname__} are not cached")

    @staticmethod
    def _trusted(cls: type, where: str) -> str:
        if not (cls.__module__ + ".").startswith(_TRUSTED_PREFIX) or "<locals>" in cls.__qualname__:
            raise Unencodable(f"{where}: {cls.__module__}.{cls.__qualname__} is not a ddanalysis class")
        return _class_name(cls)

    def _frame(self, df: pd.DataFrame, where: str) -> str:
        name = f"{len(self.members):03d}.parquet"
        plain = df.copy(deep=False)
        plain.attrs = {}
        if not all(isinstance(c, str) for c in plain.columns) or plain.columns.has_duplicates:
            raise Unencodable(f"{where}: a frame needs unique text column names to be cached")
        buf = io.BytesIO()
        try:
            plain.to_parquet(buf, engine="pyarrow", compression=None)
            back = pd.read_parquet(io.BytesIO(buf.getvalue()), engine="pyarrow")
            pd.testing.assert_frame_equal(
                plain,
                back,
                check_exact=True,
                check_index_type=True,
                check_column_type=True,
                check_freq=True,
                check_flags=True,
            )
            _same_object_types(plain, back, where)
        except Unencodable:
            raise
        except Exception as exc:  # noqa: BLE001 - any failure to round-trip means: do not cache
            raise Unencodable(
                f"{where}: frame does not round-trip through Parquet ({type(exc).__name__}: "
                f"{str(exc).splitlines()[0] if str(exc) else ''})"
            ) from exc
        self.members[name] = buf.getvalue()
        return name


def _same_object_types(a: pd.DataFrame, b: pd.DataFrame, where: str) -> None:
    """Object columns hold values of the same Python types after the round trip (``assert_frame_equal``
    calls a ``date`` equal to a ``Timestamp``)."""
    for col in a.columns:
        if a[col].dtype == object:
            ta = [type(x) for x in a[col]]
            tb = [type(x) for x in b[col]]
            if ta != tb:
                raise Unencodable(f"{where}[{col!r}]: values change type through Parquet")


class _Decoder:
    def __init__(self, zf: zipfile.ZipFile) -> None:
        self.zf = zf

    def decode(self, node: Any) -> Any:  # noqa: C901 - one branch per tag, flat
        if node is None or isinstance(node, (bool, int, float, str)):
            return node
        if isinstance(node, list):
            raise ValueError("untagged list in a plain-data manifest")
        tag = node.get("$")
        v = node.get("v")
        if tag == "float":
            return float(v)
        if tag == "np":
            dtype = np.dtype(node["dtype"])
            if dtype.kind not in "biuf":
                raise ValueError(f"numpy dtype {dtype} not allowed")
            return dtype.type(float(v) if isinstance(v, str) else v)
        if tag == "timestamp":
            return pd.Timestamp(v)
        if tag == "datetime":
            return dt.datetime.fromisoformat(v)
        if tag == "date":
            return dt.date.fromisoformat(v)
        if tag == "list":
            return [self.decode(x) for x in v]
        if tag == "tuple":
            return tuple(self.decode(x) for x in v)
        if tag == "dict":
            return {self.decode(k): self.decode(x) for k, x in v}
        if tag == "frame":
            df = self._frame(node["m"])
            df.attrs = self.decode(node["attrs"])
            return df
        if tag == "series":
            s = self._frame(node["m"])["value"]
            s.name = self.decode(node["name"])
            s.attrs = self.decode(node["attrs"])
            return s
        if tag == "enum":
            cls = _trusted_class(node["cls"])
            if not (isinstance(cls, type) and issubclass(cls, enum.Enum)):
                raise ValueError(f"{node['cls']} is not an enum")
            return cls(self.decode(v))
        if tag == "dataclass":
            cls = _trusted_class(node["cls"])
            if not (isinstance(cls, type) and dataclasses.is_dataclass(cls)):
                raise ValueError(f"{node['cls']} is not a dataclass")
            values = {k: self.decode(x) for k, x in v.items()}
            fields = {f.name: f for f in dataclasses.fields(cls)}
            if set(values) != set(fields):
                raise ValueError(f"{node['cls']}: fields differ from the cached ones")
            obj = cls(**{k: x for k, x in values.items() if fields[k].init})
            for k, x in values.items():
                if not fields[k].init:
                    object.__setattr__(obj, k, x)
            return obj
        if tag == "model":
            cls = _trusted_class(node["cls"])
            if not (isinstance(cls, type) and issubclass(cls, BaseModel)):
                raise ValueError(f"{node['cls']} is not a pydantic model")
            return cls.model_validate({k: self.decode(x) for k, x in v.items()})
        raise ValueError(f"unknown tag {tag!r} in a plain-data manifest")

    def _frame(self, member: str) -> pd.DataFrame:
        if not isinstance(member, str) or not member.endswith(".parquet") or "/" in member:
            raise ValueError(f"bad frame member {member!r}")
        return pd.read_parquet(io.BytesIO(self.zf.read(member)), engine="pyarrow")


def _trusted_class(name: str) -> Any:
    module, _, qualname = str(name).partition(":")
    if not (module + ".").startswith(_TRUSTED_PREFIX) or not qualname:
        raise ValueError(f"class {name!r} is not a ddanalysis class")
    obj: Any = importlib.import_module(module)
    for part in qualname.split("."):
        obj = getattr(obj, part)
    return obj
