"""Reading the data CSVs (points.py's x,y and datasets.py's x1,x2,label): the file's
text, its header and its lines, each problem one sentence naming the file and the line."""

from __future__ import annotations

import csv
from pathlib import Path
from typing import Iterator

from ..errors import ConfigError


def read_text(path, name: str) -> str:
    """The file's text (UTF-8, a byte-order mark allowed); ``name`` is how messages call it."""
    try:
        return Path(path).read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        raise ConfigError(f"{name}: no such data file.") from None
    except UnicodeDecodeError:
        raise ConfigError(f"{name} is not UTF-8 text.") from None
    except OSError as err:
        raise ConfigError(f"{name} cannot be read ({err.strerror or err}).") from None


def rows(text: str, name: str, columns: tuple[str, ...], needs: str) -> Iterator[tuple[int, list[str]]]:
    """(line number, fields in the order of ``columns``) for each data line of ``text``,
    whose header names ``columns`` in any order; ``needs`` says what must follow the
    header ("at least two points"). Raises ConfigError on an empty file, a wrong header,
    a line with another number of fields, or a header with no lines."""
    lines = ((number, line) for number, line in enumerate(text.splitlines(), 1) if line.strip())
    example, listed = ",".join(columns), _listed(columns)
    first = next(lines, None)
    if first is None:
        raise ConfigError(f"{name} is empty; it needs a header line '{example}' and {needs}.")
    number, line = first
    header = [field.strip().lower() for field in _fields(line)]
    if sorted(header) != sorted(columns):
        raise ConfigError(f"{name} line {number}: the header must name the columns {listed} "
                          f"(like '{example}'), got '{line.strip()}'.")
    order = [header.index(column) for column in columns]
    seen = False
    for number, line in lines:
        fields = _fields(line)
        if len(fields) != len(columns):
            raise ConfigError(f"{name} line {number}: expected {len(columns)} values ({listed}), "
                              f"got {len(fields)}.")
        seen = True
        yield number, [fields[i].strip() for i in order]
    if not seen:
        raise ConfigError(f"{name} has a header but no data lines.")


def _listed(columns: tuple[str, ...]) -> str:
    return ", ".join(columns[:-1]) + " and " + columns[-1]


def _fields(line: str) -> list[str]:
    return next(csv.reader([line]))
