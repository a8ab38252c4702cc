"""One key's rows of a store table sorted by that key, read straight from its Parquet file.

The entry page asks for one entry's rows of three tables. Asked through DuckDB, each question reads
the file's footer and weighs every row group's statistics (hundreds at a million entries: 4-10 ms a
table). Here the footer is read once per store and the row groups that can hold the key are found by
bisecting their key ranges; reading one small row group and slicing the key's rows out of it takes
about a millisecond. Only for tables the build sorts by the key (layout: entry_lookup, entry_events,
entry_versions), whose key statistics are complete (short ids, never truncated).
"""

from __future__ import annotations

import bisect
import threading
from collections import OrderedDict
from dataclasses import dataclass

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq


@dataclass(frozen=True)
class SortedFile:
    """A Parquet file sorted by `key`: its footer and each row group's smallest and largest key."""

    path: str
    key: str
    metadata: pq.FileMetaData
    lowest: list  # by row group, ascending
    highest: list
    filesystem: object | None = None  # an fsspec filesystem for a build in a bucket

    @classmethod
    def open(cls, path: str, key: str, filesystem=None) -> SortedFile:
        metadata = pq.ParquetFile(path, filesystem=filesystem).metadata
        column = metadata.schema.to_arrow_schema().get_field_index(key)
        ranges = [metadata.row_group(i).column(column).statistics for i in range(metadata.num_row_groups)]
        if any(stats is None or not stats.has_min_max for stats in ranges):
            raise ValueError(f"{path}: a row group has no statistics for {key}; the file is not one the "
                             "build wrote")
        return cls(path, key, metadata, [s.min for s in ranges], [s.max for s in ranges], filesystem)

    def rows(self, value, columns: list[str] | None = None) -> pa.Table:
        """The rows whose key equals `value`, in stored order (none: an empty table)."""
        # A new reader per call, sharing the footer: a ParquetFile is not safe to share between threads.
        reader = pq.ParquetFile(self.path, metadata=self.metadata, filesystem=self.filesystem,
                                memory_map=self.filesystem is None)
        parts = []
        group = bisect.bisect_left(self.highest, value)
        while group < len(self.lowest) and self.lowest[group] <= value:
            table = reader.read_row_group(group, columns=columns)
            keys = table.column(self.key).to_numpy(zero_copy_only=False)
            start, end = np.searchsorted(keys, value, "left"), np.searchsorted(keys, value, "right")
            parts.append(table.slice(start, end - start))
            group += 1
        if not parts:
            return reader.schema_arrow.empty_table() if columns is None else \
                reader.schema_arrow.empty_table().select(columns)
        return pa.concat_tables(parts) if len(parts) > 1 else parts[0]


_opened: OrderedDict[tuple[str, str, str], SortedFile] = OrderedDict()
_opening = threading.Lock()
FILES_HELD = 24  # footers kept (a few tables of a few builds; the oldest let go)


def sorted_file(db, table: str, key: str) -> SortedFile:
    """The store's file of `table` (sorted by `key`), its footer read at the first question on it."""
    store, path, remote = db.execute("SELECT k.key, f.path, f.remote FROM store_key k, store_files f "
                                     "WHERE f.name = ?", [table]).fetchone()
    with _opening:
        if (store, table, key) not in _opened:
            filesystem = _remote_filesystem() if remote else None
            _opened[(store, table, key)] = SortedFile.open(path, key, filesystem)
            while len(_opened) > FILES_HELD:
                _opened.popitem(last=False)
        _opened.move_to_end((store, table, key))
        return _opened[(store, table, key)]


def _remote_filesystem():
    from tracker.store import remote

    return remote.filesystem()
