"""Command line: python -m tracker validate | build | import ... (see --help)."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from tracker import ingest
from tracker.config import PROJECT_DIR, data_paths
from tracker.validate import ValidationResult, validate_dir


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
    paths = data_paths(args.data_dir)
    try:
        info = ingest.build(paths)
    except ingest.BuildError as error:
        _print_problems(error.result)
        print("build refused: the published store is unchanged", file=sys.stderr)
        return 1
    rows = ", ".join(f"{n} {name}" for name, n in info.manifest["rows"].items())
    print(f"built {info.path.name}: {rows}; data as of {info.manifest['data_as_of']}")
    return 0


def cmd_import(args: argparse.Namespace) -> int:
    from tracker.importers import import_shared

    source = Path(args.source)
    missing = [n for n in ("entities.csv", "fr_rules.csv", "companies.csv", "responses.csv",
                           "moments.csv") if not (source / n).exists()]
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
    importer.add_argument("source", nargs="?", default=str(PROJECT_DIR.parent / "shared" / "data"),
                          help="folder with entities.csv, fr_rules.csv, companies.csv, "
                               "responses.csv, moments.csv (default: ../shared/data)")
    importer.add_argument("--dest", help="folder to write the inputs to (default: data/inputs)")
    importer.set_defaults(run=cmd_import)
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
