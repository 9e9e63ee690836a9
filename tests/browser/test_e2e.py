"""End to end in a real browser: Debian's headless Chromium, driven by Playwright, against the
dashboard served on a free localhost port (the command of ``samflode dashboard``). Picks two
designs by name, runs a quick comparison, checks the table and a chart and that Streamlit's Deploy
button and menu are hidden, switches to Swedish, runs again and downloads the board pack (one
self-contained HTML file), uploads a broken scenario, and saves a screenshot to tests/artifacts/.

Needs /usr/bin/chromium (``make browser`` installs it; ``make test`` depends on that). Playwright's
own browser downloads are never used.
"""

import os
import re
import socket
import subprocess
import time
import urllib.request
from pathlib import Path

import pytest

from samflode.cli.commands import dashboard_command

ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = ROOT / "tests" / "artifacts"
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
# Generous caps, never fixed sleeps: every step waits for a condition on the page, so a machine
# busy with other work makes the test slower, not red (checked with both cores kept busy).
START_TIMEOUT_S = 180
STEP_TIMEOUT_MS = 120_000
RUN_TIMEOUT_MS = 600_000


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _wait_healthy(url: str, server: subprocess.Popen) -> None:
    deadline = time.monotonic() + START_TIMEOUT_S
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise AssertionError(f"the dashboard server exited with {server.returncode}")
        try:
            with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as reply:
                if reply.status == 200:
                    return
        except OSError:
            pass
        time.sleep(0.5)
    raise AssertionError(f"the dashboard did not answer at {url} within {START_TIMEOUT_S} s")


def _wait_idle(page) -> None:  # noqa: ANN001 - a playwright Page
    """Wait until Streamlit has finished rerunning the script (its status widget is gone)."""
    from playwright.sync_api import expect

    expect(page.locator('[data-testid="stStatusWidget"]')).to_be_hidden(timeout=RUN_TIMEOUT_MS)


# An attribute that makes the browser fetch something from the network: a self-contained page
# has none (its figures are data: URIs, its styles inline).
REMOTE_REFERENCE = re.compile(
    r"""(?:\b(?:src|href)\s*=\s*["']?|url\(\s*["']?)\s*(?:https?:)?//""", re.I
)


def _check_board_pack(html: str, names: list[str]) -> None:
    assert html.startswith("<!DOCTYPE html"), html[:80]
    assert 'lang="sv"' in html[:500], html[:500]
    for name in names:
        assert name in html, name
    remote = REMOTE_REFERENCE.findall(html)
    assert not remote, remote[:3]


@pytest.fixture
def server_url():
    port = _free_port()
    log_path = ARTIFACTS / "streamlit.log"
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    with open(log_path, "wb") as log:
        server = subprocess.Popen(
            dashboard_command(port),
            cwd=ROOT,
            stdout=log,
            stderr=subprocess.STDOUT,
            env={**os.environ, "STREAMLIT_BROWSER_GATHER_USAGE_STATS": "false"},
        )
        try:
            url = f"http://127.0.0.1:{port}"
            _wait_healthy(url, server)
            yield url
        finally:
            server.terminate()
            try:
                server.wait(timeout=10)
            except subprocess.TimeoutExpired:
                server.kill()
                server.wait(timeout=10)


def test_compare_two_designs_in_chromium(server_url):
    if not os.access(CHROMIUM, os.X_OK):
        pytest.fail(f"{CHROMIUM} is missing: run `make browser` (apt-get install chromium)")
    from playwright.sync_api import expect, sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            page = browser.new_page(viewport={"width": 1500, "height": 1000})
            page.set_default_timeout(STEP_TIMEOUT_MS)
            # Assertions wait as long as actions do (their own default is 5 s): on a loaded machine
            # the page's first render can take longer than that.
            expect.set_options(timeout=STEP_TIMEOUT_MS)
            page.goto(server_url)
            expect(page.get_by_text("samflode: compare organisational designs")).to_be_visible()

            # Two designs: the default (nacka-forum) plus silo-baseline.
            picker = page.locator('[data-testid="stMultiSelect"] input')
            picker.click()
            # The picker shows each design's name and description, not its file name.
            option = page.get_by_role(
                "option", name=re.compile(r"^Utgångsläge: var myndighet för sig — No joint door")
            )
            picker.fill("var myndighet")
            expect(option).to_be_visible()
            page.keyboard.press("Enter")
            page.keyboard.press("Escape")
            expect(page.get_by_text("Edit parameters: silo_baseline")).to_be_visible()

            page.get_by_text("Quick run (horizon 200 days").click()
            replications = page.get_by_label("Replications")
            replications.fill("2")
            replications.press("Enter")
            expect(replications).to_have_value("2")
            _wait_idle(page)
            page.get_by_role("button", name="Run", exact=True).click()

            table = page.locator('[data-testid="stTable"]')
            expect(table).to_contain_text("Δ silo_baseline", timeout=RUN_TIMEOUT_MS)
            _wait_idle(page)
            expect(table).to_contain_text("Days to first Forum meeting, mean")
            text = table.inner_text()
            assert any(ch.isdigit() for ch in text) and " d [" in text, text[:500]

            images = page.locator('[data-testid="stImage"] img')
            expect(images.first).to_be_visible()
            assert images.count() == 4
            chart = page.locator('[data-testid="stPlotlyChart"]').first
            chart.scroll_into_view_if_needed()
            expect(chart.locator("svg").first).to_be_visible()
            # the staff-utilisation bars carry their values as text, e.g. "63 %"
            expect(chart).to_contain_text(re.compile(r"\d+ %"))
            # A board's page: the results have rendered, and no Deploy button, no developer menu.
            expect(page.get_by_text("Designs compared", exact=True)).to_be_visible()
            expect(page.locator('[data-testid="stAppDeployButton"]')).to_have_count(0)
            expect(page.get_by_role("button", name="Deploy")).to_have_count(0)
            expect(page.locator('[data-testid="stMainMenu"]')).to_have_count(0)

            # Streamlit scrolls its main block, not the window: back to the top, in a tall window.
            page.set_viewport_size({"width": 1500, "height": 2200})
            main = page.locator('[data-testid="stMain"]')
            main.evaluate("el => el.scrollTo(0, 0)")
            page.wait_for_function(
                "() => document.querySelector('[data-testid=\"stMain\"]').scrollTop === 0"
            )
            page.screenshot(path=str(ARTIFACTS / "dashboard.png"))

            # In Swedish: a quick comparison with another seed (a new run, not the cached one),
            # then the board pack of what is shown.
            page.get_by_test_id("stSidebarUserContent").get_by_text("Svenska", exact=True).click()
            expect(page.get_by_text("samflode: jämför organisationsmodeller")).to_be_visible()
            _wait_idle(page)
            seed = page.locator('[data-testid="stSidebar"]').get_by_label("Frö (samma")
            seed.fill("2")
            seed.press("Enter")
            expect(seed).to_have_value("2")
            _wait_idle(page)
            page.get_by_role("button", name="Kör", exact=True).click()
            # The results say which seed they are of: the new run has rendered.
            expect(page.get_by_text("replikeringar, frö 2,")).to_be_visible(timeout=RUN_TIMEOUT_MS)
            _wait_idle(page)
            expect(table).to_contain_text("Dagar till första Forum-mötet, medel")
            expect(table).to_contain_text(re.compile(r"\d,\d d \["))  # a decimal comma
            pack = page.get_by_role("button", name="Ladda ner styrelseunderlag")
            with page.expect_download(timeout=RUN_TIMEOUT_MS) as download_info:
                pack.click()
            download = download_info.value
            assert download.suggested_filename.startswith("styrelseunderlag"), (
                download.suggested_filename
            )
            saved = ARTIFACTS / download.suggested_filename
            download.save_as(saved)
            _check_board_pack(saved.read_text(encoding="utf-8"), ["nacka_forum", "silo_baseline"])
            expect(page.locator('[data-testid="stAppDeployButton"]')).to_have_count(0)

            page.locator('[data-testid="stFileUploaderDropzoneInput"]').set_input_files(
                files=[
                    {
                        "name": "broken.yaml",
                        "mimeType": "application/x-yaml",
                        "buffer": b"name: [unclosed\n",
                    }
                ]
            )
            alert = page.locator('[data-testid="stAlert"]', has_text="broken.yaml")
            # A Swedish sentence first, then the loader's precise text (file, line, column).
            expect(alert).to_contain_text("Inte en giltig modell")
            expect(alert).to_contain_text("broken.yaml: not valid YAML (line 2, column 1)")
        finally:
            browser.close()
