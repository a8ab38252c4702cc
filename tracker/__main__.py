"""Command line: python -m tracker validate | build | import ... (see --help)."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from tracker.config import data_paths, shared_data_dir
from tracker.inputs.validate import ValidationResult, validate_dir


def _print_problems(result: ValidationResult) -> None:
    for problem in result.problems:
        print(problem, file=sys.stderr)
    print(f"{len(result.errors)} errors, {len(result.warnings)} warnings", file=sys.stderr)


def _inputs_dir(argument: str | None) -> Path:
    if not argument:
        return data_paths().inputs
    folder = Path(argument)
    return folder / "inputs" if (folder / "inputs").is_dir() else folder


def cmd_validate(args: argparse.Namespace) -> int:
    folder = _inputs_dir(args.dir)
    if not folder.is_dir():
        print(f"{folder}: no such folder of inputs", file=sys.stderr)
        return 1
    result = validate_dir(folder)
    _print_problems(result)
    if result.ok:
        print(f"{folder}: all {len(result.tables)} inputs are valid")
    return 0 if result.ok else 1


def cmd_build(args: argparse.Namespace) -> int:
    from tracker.store import build  # duckdb and pandas load only for the commands that need them

    paths = data_paths(args.data_dir)
    try:
        info = build.build_store(paths)
    except build.BuildError as error:
        _print_problems(error.result)
        print("build refused: the published store is unchanged", file=sys.stderr)
        return 1
    rows = ", ".join(f"{n} {name}" for name, n in info.manifest.rows.items())
    print(f"built {info.path.name}: {rows}; data as of {info.manifest.data_as_of}")
    return 0


def cmd_import(args: argparse.Namespace) -> int:
    from tracker.importers.shared import import_shared, missing_files

    source = Path(args.source)
    missing = missing_files(source)
    if missing:
        print(f"{source}: missing {', '.join(missing)}", file=sys.stderr)
        return 1
    dest = Path(args.dest) if args.dest else data_paths().inputs
    report = import_shared(source, dest)
    for line in report.lines():
        print(line)
    result = validate_dir(dest)
    if not result.ok:
        _print_problems(result)
        return 1
    return 0


# --- Editing: diff, import, backups, restore (issue 4) ---

def _fail(message: str) -> int:
    print(message, file=sys.stderr)
    return 1


def _table_of(path: Path, other: Path, given: str | None) -> str | None:
    """The input a file is a version of: --table, else its name, else its backups folder's name."""
    from tracker import schema

    if given:
        return given if given in schema.TABLES_BY_NAME else None
    for candidate in (path, other):
        for name in (candidate.stem, candidate.parent.name):
            if name in schema.TABLES_BY_NAME:
                return name
    return None


def cmd_diff(args: argparse.Namespace) -> int:
    from tracker import schema
    from tracker.inputs.diff import CsvError, diff_csv_bytes, render_patch, render_text

    old, new = Path(args.old), Path(args.new)
    for path in (old, new):
        if not path.is_file():
            return _fail(f"{path}: no such file")
    name = _table_of(new, old, args.table)
    if name is None:
        return _fail(f"{new}: cannot tell which input this is; name the file after it or pass "
                     f"--table ({', '.join(schema.TABLES_BY_NAME)})")
    table = schema.TABLES_BY_NAME[name]
    try:
        diff = diff_csv_bytes(table, old.read_bytes(), new.read_bytes())
    except CsvError as error:
        where = old if "(old)" in error.problem.file else new
        problem = error.problem
        return _fail(f"{where}:{problem.line}:{problem.column}: {problem.message}")
    if args.patch:
        sys.stdout.write(render_patch(old.read_bytes(), new.read_bytes(), f"data/inputs/{table.filename}"))
    else:
        sys.stdout.write(render_text(diff, limit=None))
    return 0


def _run_for_people(run, *args, **kwargs):
    """Run an editing call; turn the errors meant for people into a message and exit status 1."""
    from tracker.editing.saves import EditConflict, SaveRefused
    from tracker.importers.federal_register import SourceError
    from tracker.inputs.diff import CsvError
    try:
        return run(*args, **kwargs), 0
    except SaveRefused as error:
        _print_problems(error.result)
        print("refused: nothing was written", file=sys.stderr)
    except CsvError as error:
        print(f"{error.problem}; nothing was written", file=sys.stderr)
    except (SourceError, EditConflict, ValueError) as error:
        print(error, file=sys.stderr)
    except OSError as error:  # a full or read-only disk: the save undid what it had written
        print(f"not saved: {error}; the inputs keep their previous version", file=sys.stderr)
    return None, 1


def cmd_import_rule(args: argparse.Namespace) -> int:
    from tracker.importers.federal_register import import_rule
    file = Path(args.file)
    if not file.is_file():
        return _fail(f"{file}: no such file")
    report, status = _run_for_people(import_rule, data_paths(args.data_dir), file, args.apply,
                                         editor=args.editor)
    if report is not None:
        print("\n".join(report.lines()))
    return status


def cmd_import_csl(args: argparse.Namespace) -> int:
    from tracker.importers.screening_list import import_csl
    file = Path(args.file)
    if not file.is_file():
        return _fail(f"{file}: no such file")
    report, status = _run_for_people(import_csl, data_paths(args.data_dir), file, args.apply,
                                         editor=args.editor, partial=args.partial)
    if report is not None:
        print("\n".join(report.lines()))
    return status


def cmd_restore(args: argparse.Namespace) -> int:
    from tracker.editing.saves import restore_version

    result, status = _run_for_people(restore_version, data_paths(args.data_dir), args.table,
                                         args.version, editor=args.editor)
    if result is not None:
        print("\n".join(result.lines()))
    return status


def cmd_backups(args: argparse.Namespace) -> int:
    from tracker import schema
    from tracker.editing.saves import list_versions

    paths = data_paths(args.data_dir)
    names = [args.table] if args.table else list(schema.TABLES_BY_NAME)
    if args.table and args.table not in schema.TABLES_BY_NAME:
        return _fail(f"unknown input '{args.table}'; expected one of: {', '.join(schema.TABLES_BY_NAME)}")
    found = 0
    for name in names:
        for v in list_versions(paths, name):
            found += 1
            who = f" by {v.replaced_by}" if v.replaced_by else ""
            how = f" ({v.action})" if v.action else ""
            print(f"{name}  {v.version}  replaced {v.replaced_at:%Y-%m-%d %H:%M:%S} UTC{who}{how}  "
                  f"{v.size} bytes")
    if not found:
        print(f"no previous versions in {paths.backups}")
    else:
        print(f"restore one with: python -m tracker restore TABLE VERSION (audit log: "
              f"{paths.backups / 'audit.log'})")
    return 0


def _add_editing_commands(commands) -> None:
    data_dir = {"help": "data folder (default: TRACKER_DATA_DIR or data/)"}
    editor = {"help": "name recorded in the audit log"}

    diff = commands.add_parser("diff", help="rows added, removed and changed between two versions "
                                            "of an input")
    diff.add_argument("old", help="the earlier CSV")
    diff.add_argument("new", help="the later CSV")
    diff.add_argument("--table", help="which input the files are (default: from the file or folder name)")
    diff.add_argument("--patch", action="store_true", help="print a unified patch (for git apply) instead")
    diff.set_defaults(run=cmd_diff)

    rule = commands.add_parser("import-rule", help="add a Federal Register API JSON document to rules.csv "
                                                   "(a dry run unless --apply)")
    rule.add_argument("file", help="JSON file: one document, a list, or an API search result")
    rule.add_argument("--apply", action="store_true", help="write the change (validated, with a backup)")
    rule.add_argument("--editor", **editor)
    rule.add_argument("--data-dir", **data_dir)
    rule.set_defaults(run=cmd_import_rule)

    csl = commands.add_parser("import-csl", help="compare a Consolidated Screening List CSV export with the "
                                                 "entities (a dry run unless --apply)")
    csl.add_argument("file", help="the CSL CSV export")
    csl.add_argument("--apply", action="store_true",
                     help="write new entries, 'revised' and 'removed' events (never deletes a row)")
    csl.add_argument("--partial", action="store_true",
                     help="the file is only part of the list: report nothing as gone")
    csl.add_argument("--editor", **editor)
    csl.add_argument("--data-dir", **data_dir)
    csl.set_defaults(run=cmd_import_csl)

    restore = commands.add_parser("restore", help="make a previous version of an input current again")
    restore.add_argument("table", help="the input, e.g. entities")
    restore.add_argument("version", help="a version listed by `backups`")
    restore.add_argument("--editor", **editor)
    restore.add_argument("--data-dir", **data_dir)
    restore.set_defaults(run=cmd_restore)

    backups = commands.add_parser("backups", help="list the previous versions of the inputs kept by saves")
    backups.add_argument("table", nargs="?", help="only this input")
    backups.add_argument("--data-dir", **data_dir)
    backups.set_defaults(run=cmd_backups)


# --- Performance (issue 5): synthetic data and the benchmark ---

def cmd_generate(args: argparse.Namespace) -> int:
    from tracker.bench.generate import generate

    try:
        written = generate(Path(args.out), args.scale, seed=args.seed)
    except ValueError as error:
        return _fail(str(error))
    rows = ", ".join(f"{n:,} {name}" for name, n in written.items())
    print(f"wrote {Path(args.out) / 'inputs'}: {rows} (synthetic, seed {args.seed})")
    return 0


def cmd_bench(args: argparse.Namespace) -> int:
    import json

    from tracker.bench import benchmark

    try:
        scales = benchmark.check_scales(args.scale or list(benchmark.DEFAULT_SCALES))
    except ValueError as error:
        return _fail(str(error))
    work = Path(args.work) if args.work else None
    results = benchmark.run(scales, args.repeat, args.budget, work, args.seed, pages=not args.no_pages)
    print(benchmark.table(results))
    if args.json:
        Path(args.json).write_text(json.dumps(results, indent=2, default=str) + "\n")
        print(f"\nwrote {args.json}")
    return 1 if any("error" in s for s in results["scales"].values()) else 0


def cmd_docs(args: argparse.Namespace) -> int:
    from tracker.inputs.docs import inputs_readme

    target = data_paths().inputs / "README.md"
    target.write_text(inputs_readme(), encoding="utf-8")
    print(f"wrote {target}")
    return 0


def parser() -> argparse.ArgumentParser:
    root = argparse.ArgumentParser(
        prog="python -m tracker",
        description="Entity List Tracker: check the CSV inputs, build the store, import sources. "
                    "TRACKER_DATA_DIR chooses the data folder (default data/).")
    commands = root.add_subparsers(dest="command", required=True)

    validate = commands.add_parser("validate", help="check the inputs; exit 1 listing every problem")
    validate.add_argument("dir", nargs="?", help="folder of CSV inputs (or a data folder holding inputs/)")
    validate.set_defaults(run=cmd_validate)

    build = commands.add_parser("build", help="validate, then rebuild the Parquet store atomically")
    build.add_argument("--data-dir", help="data folder (default: TRACKER_DATA_DIR or data/)")
    build.set_defaults(run=cmd_build)

    importer = commands.add_parser("import", help="write the inputs from the shared source files")
    importer.add_argument("source", nargs="?", default=str(shared_data_dir() / "v2"),
                          help="folder of version 2 of the shared source files: entities.csv, "
                               "entry_citations.csv, fr_rules.csv, removal_rules.csv, removals.csv, "
                               "list_versions/, companies.csv, responses.csv; moments.csv from the "
                               "folder above (version 1) unless the folder has one "
                               "(default: ../shared/data/v2, or $TRACKER_SHARED_DATA/v2)")
    importer.add_argument("--dest", help="folder to write the inputs to (default: data/inputs)")
    importer.set_defaults(run=cmd_import)

    docs = commands.add_parser("docs", help="write data/inputs/README.md from the schema")
    docs.set_defaults(run=cmd_docs)

    _add_editing_commands(commands)

    generate = commands.add_parser("generate", help="write a synthetic data folder in the inputs' schema "
                                                    "(for benchmarks; never real data)")
    generate.add_argument("--scale", type=int, required=True, help="number of entries")
    generate.add_argument("--out", required=True, help="data folder to write (DIR/inputs/*.csv)")
    generate.add_argument("--seed", type=int, default=1, help="same seed, same files (default 1)")
    generate.set_defaults(run=cmd_generate)

    bench_parser = commands.add_parser(
        "bench", help="the performance benchmark: build, queries, pages, memory, against a pandas baseline "
                      "and a DuckDB floor")
    bench_parser.add_argument("--scale", nargs="+", action="extend",
                       help="'shipped' (the committed inputs) or numbers of synthetic entries "
                            "(default: shipped 100000 1000000)")
    bench_parser.add_argument("--json", help="also write the results to this JSON file")
    bench_parser.add_argument("--repeat", type=int, default=15,
                              help="timed runs per measurement (default 15)")
    bench_parser.add_argument("--budget", type=float, default=10.0,
                       help="seconds at most per measurement loop; stops repeating after (default 10)")
    bench_parser.add_argument("--work", help="folder for the generated data (default: a temporary folder); "
                                      "each scale's data is deleted when it is measured")
    bench_parser.add_argument("--seed", type=int, default=1, help="seed of the generated data (default 1)")
    bench_parser.add_argument("--no-pages", action="store_true", help="skip the AppTest page runs")
    bench_parser.set_defaults(run=cmd_bench)
    return root


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    try:
        return args.run(args)
    except KeyboardInterrupt:
        return 130
    except OSError as error:
        print(f"error: {error}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
