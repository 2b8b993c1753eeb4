"""Reading the kit's JSON inputs (results, bench files, waivers) with one-line errors."""
from __future__ import annotations

import json
import os
from typing import Any, Type


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
    except OSError as err:
        raise error("%s: cannot read (%s)" % (path, err.strerror)) from None
