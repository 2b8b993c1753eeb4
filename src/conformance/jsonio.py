"""The kit's files on disk: reading JSON inputs with one-line errors, checking output paths
before any work starts, and replacing a file only by a complete one (atomic write)."""
from __future__ import annotations

import json
import os
import tempfile
from typing import Any, Iterable, Optional, Type

from .errors import UnusableInput


class OutputError(UnusableInput):
    """An output path the command cannot write; one-line message."""


def read_json(path: str, kind: str, error: Type[Exception]) -> Any:
    """The parsed JSON at ``path``; any problem raises ``error`` with a one-line message."""
    if not os.path.exists(path):
        raise error("%s: no such %s file" % (path, kind))
    if os.path.isdir(path):
        raise error("%s: is a directory, not a %s file" % (path, kind))
    try:
        with open(path, encoding="utf-8") as fh:
            return json.load(fh)
    except UnicodeDecodeError:
        raise error("%s: not a text file" % path) from None
    except json.JSONDecodeError as err:
        raise error("%s: corrupt or truncated JSON (%s at line %d)" % (path, err.msg, err.lineno)) from None
    except RecursionError:
        raise error("%s: JSON nested too deeply" % path) from None
    except OSError as err:
        raise error("%s: cannot read (%s)" % (path, err.strerror)) from None


def read_document(path: str, kind: str, schema_name: str, version: int, schema: Any, error: Type[Exception]) -> Any:
    """A JSON document of the kit's: read (``read_json``), then its schema name and version
    checked, then validated against the jsonschema ``schema``; every problem raises ``error``
    with one line naming the file and, for an invalid document, where in it."""
    import jsonschema

    doc = read_json(path, kind, error)
    if not isinstance(doc, dict) or doc.get("schema") != schema_name:
        raise error("%s: not a torch-conformance %s file" % (path, kind))
    if doc.get("schema_version") != version:
        raise error("%s: unsupported %s schema version %r (this kit reads version %d)"
                    % (path, kind, doc.get("schema_version"), version))
    try:
        jsonschema.validate(doc, schema)
    except jsonschema.ValidationError as err:
        where = "/".join(str(p) for p in err.absolute_path) or "(top level)"
        raise error("%s: invalid %s file at %s: %s" % (path, kind, where, err.message.splitlines()[0])) from None
    return doc


def _same_file(a: str, b: str) -> bool:
    try:
        return os.path.samefile(a, b)
    except OSError:
        return os.path.abspath(a) == os.path.abspath(b)


def check_output_file(path: str, what: str, suffix: Optional[str] = None, inputs: Iterable[str] = ()) -> str:
    """Check, before any work starts, that ``path`` can receive a new file: not a folder, not one
    of ``inputs``, ending in ``suffix``, in a folder that exists (or can be made) and is writable.
    Raises OutputError (one line). Returns the path."""
    if not path:
        raise OutputError("%s: empty path" % what)
    if os.path.isdir(path):
        raise OutputError("%s %s: is a directory; give a file path" % (what, path))
    if suffix and not path.endswith(suffix):
        raise OutputError("%s %s: must end in %s" % (what, path, suffix))
    for other in inputs:
        if other and os.path.exists(path) and _same_file(path, other):
            raise OutputError("%s %s: is one of the inputs; refusing to overwrite it" % (what, path))
    check_output_dir(os.path.dirname(os.path.abspath(path)), "%s %s: folder" % (what, path))
    return path


def check_output_dir(directory: str, what: str) -> str:
    """Make ``directory`` if needed and prove it writable by creating and removing a file."""
    if os.path.exists(directory) and not os.path.isdir(directory):
        raise OutputError("%s %s: is a file, not a folder" % (what, directory))
    try:
        os.makedirs(directory, exist_ok=True)
        fd, probe = tempfile.mkstemp(prefix=".conformance-probe-", dir=directory)
        os.close(fd)
        os.unlink(probe)
    except OSError as err:
        raise OutputError("%s %s: not writable (%s)" % (what, directory, err.strerror or err)) from None
    return directory


def _mode_for(path: str) -> int:
    """The mode the new file gets: the old file's, else what the umask gives a new file."""
    try:
        return os.stat(path).st_mode & 0o7777
    except OSError:
        mask = os.umask(0)
        os.umask(mask)
        return 0o666 & ~mask


def atomic_write_bytes(path: str, data: bytes) -> None:
    """Replace ``path`` by a file holding ``data``, or leave it untouched: write a uniquely named
    temporary file in the same folder, fsync it, then rename it over ``path``. On any failure the
    temporary file is removed and the OSError propagates."""
    directory = os.path.dirname(os.path.abspath(path))
    os.makedirs(directory, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix="." + os.path.basename(path) + ".", suffix=".tmp", dir=directory)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.chmod(tmp, _mode_for(path))
        os.replace(tmp, path)
    except BaseException:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise


def atomic_write_text(path: str, text: str) -> None:
    atomic_write_bytes(path, text.encode("utf-8"))


def dumps(doc: Any) -> str:
    """The one JSON layout of every file the kit writes."""
    return json.dumps(doc, indent=1, sort_keys=True, ensure_ascii=False) + "\n"


def write_json(path: str, doc: Any) -> None:
    atomic_write_text(path, dumps(doc))
