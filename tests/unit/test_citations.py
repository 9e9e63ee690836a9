"""Numbers carry their source, sources are cited bibliographically, and validate says when not."""

import re
from pathlib import Path

from typer.testing import CliRunner

from samflode.cli import app

ROOT = Path(__file__).resolve().parents[2]
CITING = [
    *sorted((ROOT / "samflode" / "scenarios").rglob("*.yaml")),
    *sorted((ROOT / "samflode" / "targets").glob("*.yaml")),
    ROOT / "GLOSSARY.md",
    ROOT / "README.md",
]
KEYS = ("Nacka 2008", "AMiA 2013", "Järfälla 2013", "Gränsgångare 2022")


def test_no_citation_points_outside_the_repository():
    # Source documents are cited by key (docs/sources.md), never by a file name or a path that
    # only exists on the developers' machines.
    bad = re.compile(r"shared/|00[0-4]_[0-9a-f]{16}|\bseed 00[0-4]\b|\bbrief 00[0-4]\b")
    found = [
        f"{path.relative_to(ROOT)}:{n}: {line.strip()[:80]}"
        for path in CITING
        for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
        if bad.search(line)
    ]
    assert not found, "\n".join(found)


def test_every_cited_key_is_listed_in_sources():
    sources = (ROOT / "docs" / "sources.md").read_text(encoding="utf-8")
    text = "\n".join(p.read_text(encoding="utf-8") for p in CITING)
    for key in KEYS:
        assert f"**{key}**" in sources, key
        assert key in text, f"{key} is listed in docs/sources.md but cited nowhere"


def test_validate_warns_about_numbers_without_source(tmp_path):
    folder = ROOT / "samflode" / "scenarios"
    path = tmp_path / "uncited.yaml"
    # extends: resolves beside the file, so point at the bundled base by copying it alongside.
    (tmp_path / "nacka-forum.yaml").write_text(
        (folder / "nacka-forum.yaml").read_text(encoding="utf-8"), encoding="utf-8"
    )
    path.write_text(
        "extends: nacka-forum.yaml\nname: uncited\nhorizon_days: 400\n"
        "warmup_days: {value: 30, assumption: short test run}\n",
        encoding="utf-8",
    )
    result = CliRunner().invoke(app, ["validate", str(path)])
    assert result.exit_code == 0, result.output
    assert "1 number(s) carry no source or assumption: horizon_days" in result.stderr
    assert "warmup_days" not in result.stderr


def test_validate_is_quiet_for_a_fully_cited_file():
    result = CliRunner().invoke(app, ["validate", "nacka-forum"])
    assert result.exit_code == 0, result.output
    assert "warning" not in result.stderr
