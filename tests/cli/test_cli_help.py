"""Every command's --help is a real help page with a runnable example, and the README documents
every command and option."""

from __future__ import annotations

import re
from pathlib import Path

import click
import pytest
from click.testing import CliRunner

from policywatch.cli import cli

README = (Path(__file__).resolve().parent.parent.parent / "README.md").read_text(encoding="utf-8")
COMMANDS = sorted(cli.commands)


@pytest.mark.parametrize("command", [None, *COMMANDS])
def test_help_has_summary_and_examples(command):
    args = [command, "--help"] if command else ["--help"]
    result = CliRunner().invoke(cli, args)
    assert result.exit_code == 0
    text = result.output
    assert "Examples:" in text
    examples = [ln.strip() for ln in text.split("Examples:", 1)[1].splitlines() if ln.strip().startswith("policywatch")]
    assert examples, text
    if command:
        assert all(re.match(rf"policywatch( --data-dir \S+)? {command}\b", e) for e in examples), examples


@pytest.mark.parametrize("command", COMMANDS)
def test_readme_documents_each_command_and_option(command):
    assert f"policywatch {command}" in README or f"] {command}" in README, f"README lacks `{command}`"
    for param in cli.commands[command].params:
        if isinstance(param, click.Option):
            name = max(param.opts, key=len)
            assert name in README, f"README lacks the {command} option {name}"


def test_python_dash_m_works():
    import subprocess
    import sys

    r = subprocess.run([sys.executable, "-m", "policywatch", "--version"], capture_output=True, text=True)
    assert r.returncode == 0 and "policywatch" in r.stdout


def test_data_dir_after_the_command_gets_a_hint(cli, tmp_path):
    r = cli("publish", "--data-dir", str(tmp_path / "data"))
    assert r.returncode == 2
    assert "--data-dir goes before the command" in r.stderr and "policywatch --data-dir" in r.stderr


def test_validate_only_without_live_lists_only_those(cli, tmp_path):
    from support.helpers import write_sources

    docs = [{"id": d, "title": d, "url": f"https://market.example/{d}"} for d in ("aa", "bb", "cc")]
    write_sources(tmp_path / "data" / "sources" / "s.yml", docs)
    r = cli("validate", "--only", "bb", check=True)
    assert r.stdout.split() == ["bb", "http", "https://market.example/bb"]
    assert cli("validate", "--only", "zz").returncode == 2
