"""No secret is committed: every tracked file is scanned for keys, tokens and passwords.

Key and token formats are searched in every tracked file; password-like assignments with a
literal value in code and configuration outside tests/ (tests use made-up passwords); and
the Streamlit secrets file, private keys and .env files must not be tracked at all. The
scanner is itself tested on planted examples, so a quiet scan means something.
"""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import pytest

from tracker.config import PROJECT_DIR

KEY_PATTERNS = {
    "private key": re.compile(r"-----BEGIN (?:[A-Z0-9]+ )*PRIVATE KEY( BLOCK)?-----"),
    "AWS access key id": re.compile(r"\b(?:AKIA|ASIA)[0-9A-Z]{16}\b"),
    "AWS secret access key": re.compile(r"(?i)aws_secret_access_key\s*[=:]\s*[\"']?[A-Za-z0-9/+]{40}"),
    "GitHub token": re.compile(r"\b(?:gh[pousr]_[A-Za-z0-9]{36,}|github_pat_[A-Za-z0-9_]{50,})\b"),
    "Slack token": re.compile(r"\bxox[abposr]-[A-Za-z0-9-]{10,}"),
    "Google API key": re.compile(r"\bAIza[0-9A-Za-z_-]{35}\b"),
    "Stripe or OpenAI style secret key": re.compile(r"\b(?:sk|rk)_(?:live|test)_[A-Za-z0-9]{16,}"
                                                    r"|\bsk-[A-Za-z0-9_-]{32,}"),
}
# name = "literal" / name: "literal", where the name says it holds a secret.
SECRET_ASSIGNMENT = re.compile(
    r"""(?im)^[^\n]*?\b["']?(?P<name>[\w.-]*(?:password|passwd|secret|token|api_?key))["']?\s*[:=]\s*"""
    r"""(?P<quote>["'])(?P<value>[^"'\n]*)(?P=quote)""")
CONFIG_SUFFIXES = {".py", ".toml", ".yaml", ".yml", ".cfg", ".ini", ".json", ".env", ".sh"}
# Values that are placeholders, or the name of where the real secret is read from.
PLACEHOLDERS = {"", "change-me", "changeme", "…", "...", "<password>", "xxx"}
REVIEWED = {
    ("tracker/editing/auth.py", "PASSWORD_SECRET"): "the name of the key in secrets.toml, not a password",
}
FORBIDDEN_FILES = re.compile(r"(^|/)(\.streamlit/secrets\.toml|\.env(\.[\w.-]+)?|id_(rsa|dsa|ecdsa|ed25519)"
                             r"|[^/]+\.(pem|key|p12|pfx))$")


def tracked_files() -> list[str]:
    listed = subprocess.run(["git", "ls-files", "-z"], cwd=PROJECT_DIR, capture_output=True, check=True)
    return [name for name in listed.stdout.decode().split("\0") if name]


def findings_in(path: str, text: str) -> list[str]:
    """What in one file looks like a secret, as 'path: kind' lines."""
    found = [f"{path}: {kind}" for kind, pattern in KEY_PATTERNS.items() if pattern.search(text)]
    if FORBIDDEN_FILES.search(path):
        found.append(f"{path}: a file that holds secrets is tracked")
    suffix = Path(path).suffix or Path(path).name
    if not path.startswith("tests/") and (suffix in CONFIG_SUFFIXES or path.endswith("Dockerfile")):
        for match in SECRET_ASSIGNMENT.finditer(text):
            name, value = match["name"], match["value"]
            if value.strip() in PLACEHOLDERS or (path, name) in REVIEWED:
                continue
            found.append(f"{path}: {name} is assigned a literal secret")
    return found


def scan(root: Path, files: list[str]) -> list[str]:
    found = []
    for name in files:
        path = root / name
        if not path.is_file() or path.stat().st_size > 20_000_000:
            continue
        found += findings_in(name, path.read_bytes().decode("utf-8", errors="ignore"))
    return found


def test_no_tracked_file_holds_a_secret() -> None:
    files = tracked_files()
    assert "tracker/editing/auth.py" in files and len(files) > 20  # the scan sees the repository
    assert scan(PROJECT_DIR, files) == []


def test_the_secrets_file_is_ignored_by_git() -> None:
    ignored = subprocess.run(["git", "check-ignore", "-q", ".streamlit/secrets.toml"], cwd=PROJECT_DIR)
    assert ignored.returncode == 0, ".streamlit/secrets.toml must be listed in .gitignore"


def test_the_reviewed_exceptions_still_exist() -> None:
    # An exception that no longer matches anything should be removed, not left to excuse a new line.
    for (path, name), _reason in REVIEWED.items():
        text = (PROJECT_DIR / path).read_text()
        assert any(m["name"] == name for m in SECRET_ASSIGNMENT.finditer(text)), (path, name)


# Planted examples, built at run time so that this file itself holds none of them.
AWS_ID = "AKIA" + "Q" * 16
PLANTED = {
    "app/config.py": f'AWS_KEY = "{AWS_ID}"\n',
    "deploy/key.txt": "-----BEGIN " + "RSA PRIVATE KEY-----\nMIIE...\n",
    "deploy/openssh.txt": "-----BEGIN " + "OPENSSH PRIVATE KEY-----\n",
    "ci/env.sh": "export GH=" + "ghp_" + "a1" * 20 + "\n",
    "settings.toml": 'editor_password = "' + "hunter" + '2"\n',
    "app/db.py": "DB_PASSWORD = '" + "s3cr3t-value" + "'\n",
    "conf.yaml": "api_key: " + '"' + "abc123def" + '"\n',
    ".streamlit/secrets.toml": "# empty\n",
    "certs/server.pem": "\n",
    "aws.ini": "aws_secret_access_key = " + "A" * 40 + "\n",
}
CLEAN = {
    "tests/test_login.py": 'PASSWORD = "' + "correct horse" + '"\n',  # tests make up their passwords
    "compose.yaml": '# TRACKER_EDITOR_PASSWORD: "change-me"\n',
    "app/auth.py": 'PASSWORD_ENV = "TRACKER_EDITOR_PASSWORD"\nvalue = os.environ.get(PASSWORD_ENV)\n',
    "notes.md": "Set `editor_password` in the secrets file.\n",
}


@pytest.mark.parametrize("name", list(PLANTED))
def test_the_scanner_finds_a_planted_secret(tmp_path, name) -> None:
    (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
    (tmp_path / name).write_text(PLANTED[name])
    assert scan(tmp_path, [name]), f"{name} was not flagged"


@pytest.mark.parametrize("name", list(CLEAN))
def test_the_scanner_leaves_placeholders_and_names_alone(tmp_path, name) -> None:
    (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
    (tmp_path / name).write_text(CLEAN[name])
    assert scan(tmp_path, [name]) == []
