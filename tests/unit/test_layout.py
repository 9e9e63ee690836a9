"""The package's shape: the public names resolve, and the config layer is light to import."""

import json
import subprocess
import sys

import samflode


def test_every_public_name_resolves():
    for name in samflode.__all__:
        assert getattr(samflode, name) is not None, name


def test_importing_the_config_layer_pulls_in_no_simulation_or_table_library():
    # `samflode validate`, the dashboard's file checks and each worker start by reading a design;
    # they should not pay for simpy, pandas or pyarrow (import-linter checks the imports written
    # in the code; this checks what a fresh interpreter actually loads).
    code = (
        "import json, sys;"
        "import samflode.config.loader, samflode.config.variants, samflode.config.calendar;"
        "print(json.dumps(sorted(m for m in ('simpy', 'pandas', 'pyarrow', 'scipy', 'matplotlib')"
        " if m in sys.modules)))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert json.loads(out.stdout) == []


def test_the_readme_module_map_matches_the_tree():
    # The map in README "Repository layout" is how a newcomer finds a module: every module of
    # the package is in it, and everything it names exists.
    import re
    from pathlib import Path

    root = Path(__file__).resolve().parents[2]
    readme = (root / "README.md").read_text(encoding="utf-8")
    block = readme.split("## Repository layout", 1)[1].split("```", 2)[1]
    named = set(re.findall(r"\b([a-z0-9_]+\.py)\b", block))
    folders = set(re.findall(r"^\s*([a-z_]+)/", block, flags=re.M))
    package = root / "samflode"
    special = ("__init__.py", "__main__.py")
    modules = {p.name for p in package.rglob("*.py") if p.name not in special}
    named -= set(special)
    packages = {p.parent.name for p in package.rglob("__init__.py")} - {"samflode"}
    assert modules <= named, f"modules missing from the README map: {sorted(modules - named)}"
    assert named <= modules, f"the README map names modules that do not exist: {named - modules}"
    assert packages <= folders, f"packages missing from the README map: {packages - folders}"
