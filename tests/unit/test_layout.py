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
