"""A non-editable install, in a fresh virtual environment, used from another folder.

This is what a user of a released samflode gets: the wheel is built from a copy of the source
tree, installed with ``pip install`` (not ``-e``) into a new venv, and used from a folder that is
not the repository. Every bundled design must run by name, and ``samflode dashboard`` must serve
the page and stop on SIGTERM without leaving a server behind. The venv takes its dependencies
from the test interpreter's site-packages (a ``.pth`` line) so the test needs no downloads beyond
the build backend.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import site
import socket
import subprocess
import sys
import time
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from samflode.config.loader import bundled_names

ROOT = Path(__file__).resolve().parents[2]
NOT_SOURCE = (".git", ".venv", "*.egg-info", "build", "results", "__pycache__", ".*_cache")
START_CAP_S = 180  # generous: the server starts in seconds on an idle machine


@pytest.fixture(scope="module")
def installed(tmp_path_factory) -> Path:
    """The ``bin`` folder of a fresh venv holding a non-editable install of this source tree."""
    base = tmp_path_factory.mktemp("install")
    src = base / "src"
    # A copy of the source tree (never built in place: no build/ or egg-info left in the repo).
    shutil.copytree(ROOT, src, symlinks=True, ignore=shutil.ignore_patterns(*NOT_SOURCE))
    venv = base / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
    purelib = next((venv / "lib").glob("python3*/site-packages"))
    (purelib / "deps.pth").write_text("\n".join(site.getsitepackages()) + "\n")
    subprocess.run(
        [str(venv / "bin" / "python"), "-m", "pip", "install", "--quiet", "--no-deps", str(src)],
        check=True, cwd=base, env=ENV,
    )
    return venv / "bin"


# The installed package alone: nothing on PYTHONPATH may bring the source tree back in.
ENV = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}


def _elsewhere(tmp_path: Path) -> Path:
    folder = tmp_path / "elsewhere"
    folder.mkdir()
    return folder


def test_the_install_is_not_the_source_tree(installed, tmp_path):
    code = "import samflode, json; print(json.dumps(samflode.__file__))"
    out = subprocess.run(
        [str(installed / "python"), "-c", code],
        cwd=_elsewhere(tmp_path), capture_output=True, text=True, check=True, env=ENV,
    )
    location = Path(json.loads(out.stdout))
    assert ROOT not in location.parents and "site-packages" in location.parts


# Each bundled design for 400 days (60 of warm-up) through --set: the run, not its length, is
# what this checks, and it checks the overrides in an installed samflode too.
SHORT_RUN = ("--set", "horizon_days=400", "--set", "warmup_days=60")


def test_every_bundled_design_runs_by_name(installed, tmp_path):
    cwd = _elsewhere(tmp_path)
    names = bundled_names()
    assert "nacka-forum" in names and "amia/ost" in names

    def run(name: str) -> tuple[str, subprocess.CompletedProcess]:
        out = cwd / name.replace("/", "_")
        return name, subprocess.run(
            [str(installed / "samflode"), "run", name, "--replications", "1",
             "--workers", "1", *SHORT_RUN, "--out", str(out)],
            cwd=cwd, capture_output=True, text=True, env=ENV,
        )

    # Two at a time (one process each, on two cores): the designs are independent.
    with ThreadPoolExecutor(max_workers=2) as pool:
        results = list(pool.map(run, names))
    for name, result in results:
        assert result.returncode == 0, (name, result.stderr)
        out = cwd / name.replace("/", "_")
        summary = json.loads((out / "summary.json").read_text())
        assert summary["replications"] == 1 and summary["kpis"]["arrivals"]["mean"] > 0, name
        manifest = json.loads((out / "manifest.json").read_text())
        assert manifest["overrides"]["set"] == {"horizon_days": 400, "warmup_days": 60}, name
    # No argument: the bundled default, from a folder with no scenarios in it.
    result = subprocess.run(
        [str(installed / "samflode"), "run", "--replications", "1", "--workers", "1",
         "--out", str(cwd / "default")],
        cwd=cwd, capture_output=True, text=True, env=ENV,
    )
    assert result.returncode == 0, result.stderr
    assert json.loads((cwd / "default" / "summary.json").read_text())["scenario"] == "nacka_forum"


def test_an_installed_samflode_writes_the_board_pack(installed, tmp_path):
    # The HTML template is package data: an install without it could not write the pack.
    cwd = _elsewhere(tmp_path)
    samflode = str(installed / "samflode")
    compare = [samflode, "compare", "silo-baseline", "nacka-forum", "--replications", "2",
               "--workers", "1", *SHORT_RUN, "--out", "cmp"]  # fmt: skip
    result = subprocess.run(compare, cwd=cwd, capture_output=True, text=True, env=ENV)
    assert result.returncode == 0, result.stderr
    report = [samflode, "report", "cmp", "--format", "html,xlsx", "--lang", "sv"]
    result = subprocess.run(report, cwd=cwd, capture_output=True, text=True, env=ENV)
    assert result.returncode == 0, result.stderr
    html = (cwd / "cmp" / "styrelseunderlag.html").read_text(encoding="utf-8")
    assert '<html lang="sv">' in html and "Förslag" in html
    assert (cwd / "cmp" / "styrelseunderlag.xlsx").read_bytes()[:2] == b"PK"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _get(url: str) -> tuple[int, str]:
    with urllib.request.urlopen(url, timeout=5) as response:  # noqa: S310 - localhost only
        return response.status, response.read().decode("utf-8", "replace")


def test_the_dashboard_serves_and_stops_on_sigterm(installed, tmp_path):
    port = _free_port()
    server = subprocess.Popen(
        [str(installed / "samflode"), "dashboard", "--port", str(port)],
        cwd=_elsewhere(tmp_path), stdout=subprocess.PIPE, stderr=subprocess.STDOUT, env=ENV,
    )
    try:
        deadline = time.monotonic() + START_CAP_S
        status = None
        while time.monotonic() < deadline and server.poll() is None:
            try:
                status, body = _get(f"http://127.0.0.1:{port}/_stcore/health")
                break
            except OSError:
                time.sleep(0.5)
        assert status == 200 and body.strip() == "ok", server.stdout.read1().decode()
        status, page = _get(f"http://127.0.0.1:{port}/")
        assert status == 200 and "<html" in page.lower()
        server.send_signal(signal.SIGTERM)
        # Streamlit replaced the samflode process: the pid we signalled is the server itself.
        assert server.wait(timeout=60) is not None
        with socket.socket() as s:
            # SO_REUSEADDR ignores our closed connections (TIME_WAIT) but not a listening server:
            # the bind succeeds only if nothing was left serving the port.
            s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            s.bind(("127.0.0.1", port))
    finally:
        if server.poll() is None:
            server.kill()
            server.wait()
