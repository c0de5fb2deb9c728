"""The page of a project appraised by service in a real browser: a Voila server started here with a two-service
workspace served beside the bundled projects, driven by Debian's Chromium (the fixtures and the Page class of
test_dashboard_browser). The expected total is the ``project_total`` of ``ddanalysis appraise DIR --json`` with
the dashboard's draws and seed, not anything the dashboard computes."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest
from conftest import REPO
from test_dashboard_accessibility import _AXE_RUN, EXCLUDED_RULES, _report, axe_path  # noqa: F401 - a fixture
from test_dashboard_browser import Page, _free_port, _stop, wait_until_serving
from test_services import _run, _two_services

from ddanalysis.dashboard.store import DRAWS, SEED
from ddanalysis.presentation import formats

pytestmark = [pytest.mark.browser, pytest.mark.slow]


@pytest.fixture(scope="module")
def served(tmp_path_factory):
    """(base URL, workspace folder): ``python -m ddanalysis.dashboard.serve DIR`` on a free loopback port, the
    two-service workspace (museum and libraries, both short-listing a charitable trust) served by id."""
    work = tmp_path_factory.mktemp("services-voila")
    folder = _two_services(work, ("in-house", "charitable-trust"), ("in-house", "charitable-trust", "outsourcing"))
    port = _free_port()
    log_path = work / "voila.log"
    env = {**os.environ, "DDANALYSIS_CACHE": str(work / "cache")}
    argv = [sys.executable, "-m", "ddanalysis.dashboard.serve", str(folder), "--port", str(port), "--no-warm"]
    with open(log_path, "wb") as log:
        proc = subprocess.Popen(argv, cwd=REPO, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    url = f"http://127.0.0.1:{port}/"
    try:
        wait_until_serving(proc, url, log_path)
        yield url, folder
    finally:
        _stop(proc)


def test_the_project_page_shows_the_total_of_the_json(served, browser, shots, capsys):  # noqa: F811 - fixtures
    """``?project=two-services`` shows the services table and, as its total card and total row, the net present
    saving and one-off cost of the JSON's ``project_total`` (same draws and seed), GBP 1,058,000 of baselines
    (298,000 + 760,000, by hand in test_services), a row for each new body the JSON says services share and its
    sentences, and links to each service's page, which opens and links back. (With the Monte Carlo draws the
    libraries' trust saves money in fewer than half the draws, so the libraries stay in-house and nothing is
    shared: the shared-body figures are tested without draws in test_services.)"""
    url, folder = served
    code, out, err = _run(capsys, "appraise", folder, "--json", "--draws", DRAWS, "--seed", SEED)
    assert code == 0, err
    total = json.loads(out)["project_total"]
    page = Page(browser, f"{url}voila/render/appraisal.ipynb?project=two-services").ready(plots=0, timeout_s=240)
    try:
        page.wait_text(".dd-services", "Project total", timeout_s=240)
        cards = page.text(".dd-services-total")
        assert formats.money(total["net_present_saving_gbp"]) in cards
        assert formats.money(total["one_off_cost_gbp"]) in cards
        row = page.page.locator(".dd-services tr", has_text="Project total").first.inner_text()
        assert "£1,058,000" in row and formats.money(total["net_present_saving_gbp"]) in row
        shared_rows = page.page.locator(".dd-services tr", has_text="set-up counted once").count()
        assert shared_rows == len(total["interaction"])
        notes = page.text(".dd-services-notes")
        assert all(sentence in notes for sentence in total["interactions"])
        page.check_clean()
        page.screenshot(shots / "services-project-total.png")
        page.page.locator(".dd-services a", has_text="Libraries").first.click()
        page.page.wait_for_url("**project=two-services:libraries**", timeout=60_000)
        page.ready(plots=1, timeout_s=240)
        assert "Libraries" in page.text(".dd-header")
        assert page.page.locator("a.dd-project-total-link").count() == 1
    finally:
        page.close()


def test_the_project_page_has_no_serious_accessibility_violations(served, browser, axe_path):  # noqa: F811
    """axe-core (pinned in package-lock.json, injected from node_modules) on ``?project=two-services``: no serious
    or critical WCAG violation, as test_dashboard_accessibility asks of the other pages."""
    url, _folder = served
    page = Page(browser, f"{url}voila/render/appraisal.ipynb?project=two-services").ready(plots=0, timeout_s=240)
    try:
        page.wait_text(".dd-services", "Project total", timeout_s=240)
        page.page.add_script_tag(path=axe_path)
        bad = _report("services page", page.page.evaluate(_AXE_RUN, list(EXCLUDED_RULES)))
        assert not bad, "\n".join(bad)
    finally:
        page.close()
