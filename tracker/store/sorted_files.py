"""One key's rows of a store table sorted by that key, read straight from its Parquet file.

The entry page asks for one entry's rows of three tables. Asked through DuckDB, each question reads
the file's footer and weighs every row group's statistics (hundreds at a million entries: 4-10 ms a
table). Here the footer is read once per store and the row groups that can hold the key are found by
bisecting their key ranges; reading a small row group and slicing the key's rows out of it takes about
a millisecond. Only for tables the build sorts by the key (layout: entry_lookup, entry_events,
entry_versions), whose key statistics are complete (short ids, never truncated); a file whose row
groups are not in key order is refused when opened.
"""

from __future__ import annotations

import bisect
import threading
from collections import OrderedDict
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import duckdb
import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from tracker.store.connection import KEEP_OPEN, frame_of_arrow

# What a read of a damaged file raises: as DuckDB's own errors (StoreError), so that a page or an API
# request looks at the store again (a damaged build is rebuilt) as it does for any other question.
_READ_ERRORS = (OSError, pa.ArrowException)


@dataclass(frozen=True)
class SortedFile:
    """A Parquet file sorted by `key`: its footer and each row group's smallest and largest key."""

    path: str
    key: str
    metadata: pq.FileMetaData
    lowest: list[Any]  # by row group, ascending
    highest: list[Any]
    filesystem: Any = None  # an fsspec filesystem, for a build in a bucket

    @classmethod
    def open(cls, path: str, key: str, filesystem: Any = None) -> SortedFile:
        try:
            with _opened_file(path, filesystem) as source:
                metadata = pq.ParquetFile(source).metadata
        except _READ_ERRORS as error:
            raise duckdb.IOException(f"{path}: {error}") from error
        column = metadata.schema.to_arrow_schema().get_field_index(key)
        ranges = [metadata.row_group(i).column(column).statistics for i in range(metadata.num_row_groups)]
        if any(stats is None or not stats.has_min_max for stats in ranges):
            raise duckdb.IOException(f"{path}: a row group has no statistics for {key}")
        lowest, highest = [s.min for s in ranges], [s.max for s in ranges]
        if any(low > high for low, high in zip(lowest, highest, strict=True)) or \
                any(high > low for high, low in zip(highest, lowest[1:], strict=False)):
            raise duckdb.IOException(f"{path}: its row groups are not in the order of {key}")
        return cls(path, key, metadata, lowest, highest, filesystem)

    def rows(self, value: Any, columns: list[str] | None = None) -> pa.Table:
        """The rows whose key equals `value`, in stored order (none: an empty table); the columns asked
        (the key among them or not), else all."""
        read = None if columns is None else list(dict.fromkeys([self.key, *columns]))
        parts = []
        try:
            with _opened_file(self.path, self.filesystem) as source:
                # A reader per call, sharing the footer: a ParquetFile is not safe to share between threads.
                reader = pq.ParquetFile(source, metadata=self.metadata)
                group = bisect.bisect_left(self.highest, value)  # the first group that can hold it
                while group < len(self.lowest) and self.lowest[group] <= value:
                    table = reader.read_row_group(group, columns=read)
                    keys = table.column(self.key).to_numpy(zero_copy_only=False)
                    start, end = np.searchsorted(keys, value, "left"), np.searchsorted(keys, value, "right")
                    parts.append(table.slice(start, end - start))
                    group += 1
        except _READ_ERRORS as error:
            raise duckdb.IOException(f"{self.path}: {error}") from error
        if not parts:
            empty = self.metadata.schema.to_arrow_schema().empty_table()
            parts = [empty if read is None else empty.select(read)]
        found = pa.concat_tables(parts) if len(parts) > 1 else parts[0]
        return found if columns is None else found.select(columns)


@contextmanager
def _opened_file(path: str, filesystem: Any) -> Iterator[Any]:
    """The file to read: a local path (memory-mapped), or a bucket's object with no read-ahead, so that
    reading one row group fetches that row group, not the next 50 MB (s3fs's default block)."""
    handle = pa.memory_map(path) if filesystem is None else filesystem.open(path, "rb", cache_type="none")
    try:
        yield handle
    finally:
        handle.close()


def rows_by_entity(db: duckdb.DuckDBPyConnection, table: str, entity_id: str,
                   columns: list[str] | None = None) -> pd.DataFrame:
    """An entry's rows of one of the tables sorted by entity id (entry_lookup, entry_events,
    entry_versions) as a frame, in stored order: the columns asked, else every one but the id."""
    found = sorted_file(db, table, "entity_id").rows(entity_id, columns)
    frame = frame_of_arrow(found if columns is not None else found.drop_columns(["entity_id"]))
    if frame is None:
        raise TypeError(f"{table}: a column of a type tracker.store.connection.frame_of_arrow does not read")
    return frame


# By store (its store_key), by table: the files opened, for the builds a process keeps open.
_opened: OrderedDict[str, dict[str, SortedFile]] = OrderedDict()
_opening = threading.Lock()


def sorted_file(db: duckdb.DuckDBPyConnection, table: str, key: str) -> SortedFile:
    """The store's file of `table` (sorted by `key`), its footer read at the first question on it."""
    found = db.execute("SELECT k.key, f.path, f.remote FROM store_key k, store_files f WHERE f.name = ?",
                       [table]).fetchone()
    if found is None:
        raise duckdb.CatalogException(f"the store has no file for the table {table}")
    store, path, remote = found
    with _opening:
        opened = _opened.get(store, {}).get(table)
    if opened is None:  # read outside the lock: on a bucket a footer is a round trip
        opened = SortedFile.open(path, key, _remote_filesystem() if remote else None)
        with _opening:
            _opened.setdefault(store, {})[table] = opened
            _opened.move_to_end(store)
            while len(_opened) > KEEP_OPEN:
                _opened.popitem(last=False)
    return opened


def _remote_filesystem() -> Any:
    from tracker.store import remote

    return remote.filesystem()
