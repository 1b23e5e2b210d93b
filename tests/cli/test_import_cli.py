"""The `import` group's subcommands: real help pages with examples, every option in the README."""

from __future__ import annotations

import re
from pathlib import Path

import click
import pytest
from click.testing import CliRunner

from policywatch.cli import cli

README = (Path(__file__).resolve().parent.parent.parent / "README.md").read_text(encoding="utf-8")
GROUP = cli.commands["import"]
SUBCOMMANDS = sorted(GROUP.commands)


def test_the_group_has_dir_git_and_wayback():
    assert SUBCOMMANDS == ["dir", "git", "wayback"]


@pytest.mark.parametrize("sub", SUBCOMMANDS)
def test_help_has_examples_of_itself(sub):
    result = CliRunner().invoke(cli, ["import", sub, "--help"])
    assert result.exit_code == 0
    examples = [
        ln.strip() for ln in result.output.split("Examples:", 1)[1].splitlines() if ln.strip().startswith("policywatch")
    ]
    assert examples and all(re.match(rf"policywatch( --data-dir \S+)? import {sub}\b", e) for e in examples)


@pytest.mark.parametrize("sub", SUBCOMMANDS)
def test_readme_documents_each_option(sub):
    assert f"import {sub}" in README
    for param in GROUP.commands[sub].params:
        if isinstance(param, click.Option):
            name = max(param.opts, key=len)
            assert name in README, f"README lacks the import {sub} option {name}"
