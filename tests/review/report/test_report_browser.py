"""The report in a real browser: headless Chromium opens it from file:// with no network.

Runs wherever Debian's `chromium` and `chromium-driver` are installed (CI installs them). The
flags keep Chromium from trying to reach the network at start-up, which on an offline machine
makes it hang.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path

import pytest

from simulator.core.rundir import RunDir
from simulator.review.report.build import build_report
from tests.review.audit.sample_run import write_sample_run, write_synthetic_run

CHROMIUM = Path("/usr/bin/chromium")
CHROMEDRIVER = Path("/usr/bin/chromedriver")
if not (CHROMIUM.exists() and CHROMEDRIVER.exists()):
    if os.environ.get("CI"):  # .ci/run installs them: missing there is a failure, not a skip
        pytest.fail(f"CI must provide {CHROMIUM} and {CHROMEDRIVER}", pytrace=False)
    pytest.skip(
        f"needs {CHROMIUM} and {CHROMEDRIVER} (apt-get install chromium chromium-driver)", allow_module_level=True
    )

from selenium import webdriver  # noqa: E402
from selenium.webdriver.chrome.service import Service  # noqa: E402
from selenium.webdriver.common.by import By  # noqa: E402
from selenium.webdriver.common.keys import Keys  # noqa: E402
from selenium.webdriver.support.ui import Select, WebDriverWait  # noqa: E402

CHROMIUM_FLAGS = (
    "--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--disable-background-networking",
    "--disable-component-update", "--disable-sync", "--no-first-run", "--window-size=1400,1000",
)


@pytest.fixture(scope="module")
def browser():
    profile = tempfile.mkdtemp(prefix="toolsim-chromium-")
    options = webdriver.ChromeOptions()
    options.binary_location = str(CHROMIUM)
    for flag in (*CHROMIUM_FLAGS, f"--user-data-dir={profile}"):
        options.add_argument(flag)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    driver = webdriver.Chrome(service=Service(str(CHROMEDRIVER)), options=options)
    driver.set_page_load_timeout(60)
    try:
        yield driver
    finally:
        driver.quit()
        shutil.rmtree(profile, ignore_errors=True)


@pytest.fixture(scope="module")
def sample(tmp_path_factory):
    sample = write_sample_run(tmp_path_factory.mktemp("report") / "run")
    build_report(sample.run)
    return sample


def _open(driver, path: Path, fragment: str = "") -> None:
    driver.get(path.resolve().as_uri() + fragment)
    WebDriverWait(driver, 30).until(lambda d: d.execute_script("return document.body.dataset.ready") == "true")
    driver.get_log("browser")  # start each test with an empty console log


def _shown(driver) -> int:
    return int(driver.find_element(By.ID, "shown-count").text.replace(",", ""))


def _rows(driver):
    return driver.find_elements(By.CSS_SELECTOR, ".trace-row")


def _console_problems(driver) -> list[str]:
    return [e["message"] for e in driver.get_log("browser") if e["level"] in ("SEVERE", "WARNING")]


def test_opens_offline_and_lists_every_trace(browser, sample):
    _open(browser, sample.run.path / "report.html")
    assert browser.find_element(By.ID, "total-count").text == "7"
    assert _shown(browser) == 7
    assert [r.get_attribute("data-trace-id") for r in _rows(browser)] == list(sample.ids.values())
    assert browser.find_element(By.ID, "stat-rejected").text.startswith("4")
    assert len(browser.find_elements(By.CSS_SELECTOR, "#chart-tool svg .bar")) == 3
    assert _console_problems(browser) == []  # no script error, no blocked fetch


def test_decision_filter_updates_count_rows_and_charts(browser, sample):
    _open(browser, sample.run.path / "report.html")
    Select(browser.find_element(By.ID, "filter-decision")).select_by_visible_text("reject (4)")
    assert _shown(browser) == 4
    rows = _rows(browser)
    assert {r.get_attribute("data-decision") for r in rows} == {"reject"}
    assert {r.get_attribute("data-trace-id") for r in rows} == {
        sample.ids[k] for k in ("schema", "multi_turn", "model_failed", "chinese")}
    # the other filters count within the decision filter
    tools = [o.text for o in Select(browser.find_element(By.ID, "filter-tool")).options]
    assert tools == ["all (4)", "initiate_refund (3)", "cancel_order (1)"]
    assert len(browser.find_elements(By.CSS_SELECTOR, "#chart-tool svg .bar")) == 2


def test_reason_filter_and_text_search_combine(browser, sample):
    _open(browser, sample.run.path / "report.html")
    Select(browser.find_element(By.ID, "filter-reason")).select_by_visible_text("arguments_grounded (2)")
    assert _shown(browser) == 2
    search = browser.find_element(By.ID, "filter-search")
    search.send_keys("订单")
    WebDriverWait(browser, 5).until(lambda d: _shown(d) == 1)
    assert [r.get_attribute("data-trace-id") for r in _rows(browser)] == [sample.ids["chinese"]]
    browser.find_element(By.ID, "filter-reset").click()
    assert _shown(browser) == 7 and search.get_attribute("value") == ""


def test_clicking_a_trace_renders_its_messages_and_verdict(browser, sample, tmp_path):
    _open(browser, sample.run.path / "report.html")
    row = next(r for r in _rows(browser) if r.get_attribute("data-trace-id") == sample.ids["multi_turn"])
    row.click()
    detail = browser.find_element(By.ID, "trace-detail")
    assert detail.get_attribute("data-trace-id") == sample.ids["multi_turn"]
    users = [m.text for m in detail.find_elements(By.CSS_SELECTOR, ".msg-user .text")]
    assert users == ["where is my last order?", "it's kim@example.com", "ok, cancel it", "bye ###STOP###"]
    call = detail.find_element(By.CSS_SELECTOR, ".msg-tool-call")
    assert call.get_attribute("data-tool") == "lookup_order" and '"email": "kim@example.com"' in call.text
    error = detail.find_element(By.CSS_SELECTOR, ".msg-tool-result.msg-error")
    assert "service unavailable" in error.text
    verdict = detail.find_element(By.CSS_SELECTOR, ".verdict")
    assert "expected_calls — missing cancel_order(order_id=…)" in verdict.text
    assert "judge model: not run" in verdict.text
    assert "selected" in row.get_attribute("class")
    shot = tmp_path / "report.png"
    assert browser.save_screenshot(str(shot)) and shot.stat().st_size > 10_000
    assert _console_problems(browser) == []


def test_judge_model_and_override_are_shown(browser, sample):
    _open(browser, sample.run.path / "report.html")
    next(r for r in _rows(browser) if r.get_attribute("data-trace-id") == sample.ids["model_failed"]).click()
    text = browser.find_element(By.CSS_SELECTOR, "#trace-detail .verdict").text
    assert "The answer 'Done.' gives no refund id." in text and "helpfulness 2" in text
    next(r for r in _rows(browser) if r.get_attribute("data-trace-id") == sample.ids["overridden"]).click()
    text = browser.find_element(By.CSS_SELECTOR, "#trace-detail .verdict").text
    assert "the judge said reject; a human overrode it" in text and "ana → accept: short but fine" in text


def test_message_text_is_shown_as_text_not_markup(browser, tmp_path):
    sample = write_sample_run(tmp_path / "run")
    path = sample.run.traces_path
    path.write_text(path.read_text().replace("where is my last order?", "<img src=x onerror=alert(1)> <b>hi</b>"))
    build_report(sample.run)
    _open(browser, sample.run.path / "report.html")
    next(r for r in _rows(browser) if r.get_attribute("data-trace-id") == sample.ids["multi_turn"]).click()
    first = browser.find_element(By.CSS_SELECTOR, "#trace-detail .msg-user .text")
    assert first.text == "<img src=x onerror=alert(1)> <b>hi</b>"
    assert browser.find_elements(By.CSS_SELECTOR, "#trace-detail img, #trace-detail .msg-user b") == []


def test_large_report_pages_and_keyboard_navigation(browser, tmp_path):
    run = write_synthetic_run(tmp_path / "big", 2_500)
    build_report(run)
    _open(browser, run.path / "report.html")
    assert _shown(browser) == 2_500
    assert len(_rows(browser)) == 100  # only one page is in the DOM
    browser.find_element(By.ID, "page-next").click()
    assert _rows(browser)[0].get_attribute("data-trace-id").startswith("r0-00100-")
    assert browser.find_element(By.ID, "page-info").text.startswith("page 2 of 25")
    browser.find_element(By.TAG_NAME, "body").send_keys(Keys.ARROW_DOWN)
    selected = browser.find_element(By.CSS_SELECTOR, ".trace-row.selected").get_attribute("data-trace-id")
    assert browser.find_element(By.ID, "trace-detail").get_attribute("data-trace-id") == selected


def _open_stats(driver) -> None:
    panel = driver.find_element(By.ID, "stats-panel")
    assert panel.get_attribute("open") is None  # closed by default: the trace browser stays in view
    panel.find_element(By.TAG_NAME, "summary").click()
    WebDriverWait(driver, 5).until(lambda d: d.find_elements(By.ID, "stats-coverage"))


def _bar(driver, chart: str, key: str):
    return driver.find_element(By.CSS_SELECTOR, f'#stats-{chart} .sbar[data-key="{key}"]')


def test_statistics_panel_shows_the_whole_run(browser, stats_sample, tmp_path):
    build_report(stats_sample.run)
    _open(browser, stats_sample.run.path / "report.html")
    assert browser.find_element(By.ID, "stats-body").get_attribute("childElementCount") == "0"  # drawn when opened
    _open_stats(browser)
    split = _bar(browser, "split", "validation")
    assert split.get_attribute("data-value") == "1" and "1 · 33.3%" in split.get_attribute("textContent")
    assert [b.get_attribute("data-key") for b in browser.find_elements(By.CSS_SELECTOR, "#stats-split .sbar")] == [
        "train", "validation", "test"]
    reason = browser.find_element(By.CSS_SELECTOR, '#stats-coverage tr[data-tool="initiate_refund"][data-param="reason"]')
    assert reason.get_attribute("data-kind") == "optional" and "opt" in reason.get_attribute("class").split()
    assert "reason" in reason.text and "100%" in reason.text
    amount = browser.find_element(By.CSS_SELECTOR, '#stats-coverage tr[data-tool="initiate_refund"][data-param="amount"]')
    assert "never" in amount.text and "never" in amount.get_attribute("class").split()
    required = browser.find_element(By.CSS_SELECTOR, '#stats-coverage tr[data-tool="initiate_refund"][data-param="order_id"]')
    assert required.get_attribute("data-kind") == "required" and "initiate_refund" in required.text and "1" in required.text
    assert browser.find_element(By.ID, "stats-fig-duplicates").text.startswith("3 / 2")
    assert browser.find_element(By.ID, "stats-fig-dataset").text.startswith("3")
    assert "category:hard 4" in browser.find_element(By.CSS_SELECTOR, "#stats-body .stats-warn").text
    assert _bar(browser, "turns", "1").get_attribute("data-value") == "3"  # the closing "thanks" is not counted
    assert _bar(browser, "diversity", "en").get_attribute("data-value") == str(
        _embedded_stats(browser)["diversity"]["distinct_2_by_language"]["en"])
    usage = browser.find_element(By.CSS_SELECTOR, '#stats-usage tr[data-role="assistant"]').text
    assert "6,300" in usage and "$0.0315" in usage  # 7 traces × 900 input tokens, × $0.0045
    assert "$0.0399" in browser.find_element(By.ID, "stats-fig-cost").text
    shot = tmp_path / "stats.png"
    assert browser.save_screenshot(str(shot)) and shot.stat().st_size > 10_000
    assert _console_problems(browser) == []


def _embedded_stats(driver) -> dict:
    return driver.execute_script("return JSON.parse(document.getElementById('report-data').textContent).stats")


def test_filters_do_not_change_the_statistics(browser, stats_sample):
    build_report(stats_sample.run)
    _open(browser, stats_sample.run.path / "report.html")
    _open_stats(browser)
    Select(browser.find_element(By.ID, "filter-decision")).select_by_visible_text("reject (4)")
    assert _shown(browser) == 4
    assert _bar(browser, "split", "train").get_attribute("data-value") == "1"
    assert len(browser.find_elements(By.CSS_SELECTOR, '#stats-coverage tr[data-tool="initiate_refund"]')) == 3


def test_statistics_of_an_offline_real_run(browser, real_run):
    build_report(RunDir(real_run))
    _open(browser, real_run / "report.html", "#stats")  # the #stats address opens the panel
    assert browser.find_element(By.ID, "stats-panel").get_attribute("open") == "true"
    stats = _embedded_stats(browser)
    for split, n in stats["dataset"]["split"].items():
        assert _bar(browser, "split", split).get_attribute("data-value") == str(n)
    priority = browser.find_element(By.CSS_SELECTOR, '#stats-coverage tr[data-tool="escalate_to_human"][data-param="priority"]')
    share = stats["argument_coverage"]["escalate_to_human"]["optional"]["priority"]
    assert f"{100 * share:.1f}".removesuffix(".0") + "%" in priority.text
    assert "No model was used" in browser.find_element(By.ID, "stats-usage-box").text
    assert browser.find_elements(By.ID, "stats-fig-cost") == []
    assert _console_problems(browser) == []


# ---------------------------------------------------------------- coverage panel


@pytest.fixture(scope="module")
def small_run(tmp_path_factory) -> Path:
    """A 14-example offline run of the customer-support file: too small to fill every cell."""
    from simulator.cli import main

    out = tmp_path_factory.mktemp("coverage") / "run"
    scenario = Path(__file__).resolve().parents[3] / "scenarios" / "customer_support.yaml"
    assert main(["run", str(scenario), "--out", str(out), "--quiet", "--n", "14"]) == 0
    build_report(RunDir(out))
    return out


def _embedded_coverage(driver) -> dict:
    return driver.execute_script("return JSON.parse(document.getElementById('coverage-data').textContent)")


def _grid_cell(driver, grid: str, row: str, column: str):
    row_attr, col_attr = ("scenario", "persona") if grid == "scenario-persona" else ("tool", "behaviour")
    return driver.find_element(By.CSS_SELECTOR,
                               f'#coverage-{grid} tr[data-{row_attr}="{row}"] td[data-{col_attr}="{column}"]')


def test_coverage_panel_draws_the_grids_and_names_the_empty_cells(browser, small_run, tmp_path):
    _open(browser, small_run / "report.html")
    panel = browser.find_element(By.ID, "coverage-panel")
    assert panel.get_attribute("open") is None
    assert browser.find_element(By.ID, "coverage-body").get_attribute("childElementCount") == "0"  # drawn when opened
    panel.find_element(By.TAG_NAME, "summary").click()
    WebDriverWait(browser, 5).until(lambda d: d.find_elements(By.ID, "coverage-scenario-persona"))
    cov = _embedded_coverage(browser)
    assert cov["empty_count"] > 0
    assert browser.find_element(By.ID, "coverage-fig-empty").text.startswith(str(cov["empty_count"]))
    # every count of the grid is the one computed, an empty possible pair is marked
    for scenario, row in cov["scenario_persona"].items():
        for persona, n in row.items():
            cell = _grid_cell(browser, "scenario-persona", scenario, persona)
            assert cell.get_attribute("data-count") == str(n)
            assert ("empty-cell" in cell.get_attribute("class").split()) == (n == 0)
    impossible = _grid_cell(browser, "tool-behaviour", "(none)", "single_call")
    assert impossible.text == "·" and "impossible" in impossible.get_attribute("class").split()
    filled = next((t, b, n) for t, row in cov["tool_behaviour"].items() for b, n in row.items() if n)
    assert _grid_cell(browser, "tool-behaviour", filled[0], filled[1]).text == str(filled[2])
    # the empty cells, each named
    for kind, cells in cov["empty"].items():
        items = browser.find_elements(By.CSS_SELECTOR, f'#coverage-empty li[data-kind="{kind}"]')
        assert len(items) == len(cells)
    group = browser.find_element(By.CSS_SELECTOR, '#coverage-empty details[data-kind="persona_scenario"]')
    if group.get_attribute("open") is None:  # a long list starts folded
        group.find_element(By.TAG_NAME, "summary").click()
    first = cov["empty"]["persona_scenario"][0]
    item = browser.find_element(By.CSS_SELECTOR, f'#coverage-empty li[data-scenario="{first["scenario"]}"]'
                                                  f'[data-persona="{first["persona"]}"]')
    assert item.text == f'{first["scenario"]} × {first["persona"]}'
    shot = tmp_path / "coverage.png"
    assert browser.save_screenshot(str(shot)) and shot.stat().st_size > 10_000
    assert _console_problems(browser) == []


def test_coverage_panel_without_the_scenario_file_says_the_possible_cells_are_unknown(browser, sample):
    _open(browser, sample.run.path / "report.html", "#coverage")  # the #coverage address opens the panel
    assert browser.find_element(By.ID, "coverage-panel").get_attribute("open") == "true"
    assert "Possible cells unknown" in browser.find_element(By.ID, "coverage-empty").text
    assert browser.find_element(By.ID, "coverage-fig-empty").text.startswith("unknown")
    cov = _embedded_coverage(browser)
    assert cov["possible"] is None and cov["traces"] == 3
    unknown = browser.find_elements(By.CSS_SELECTOR, "#coverage-scenario-persona td.unknown")
    assert unknown and all(td.text == "?" for td in unknown)
    assert _console_problems(browser) == []


@pytest.fixture(scope="module")
def evaluated_run(tmp_path_factory):
    """The eval tests' hand-written run, evaluated by their scripted model, with its report."""
    from simulator.cli import main
    from tests.eval.evalrun import scripted_model, write_run
    from tests.fakes.openai_server import FakeOpenAIServer

    run = write_run(tmp_path_factory.mktemp("evalreport") / "run")
    with FakeOpenAIServer() as server:
        server.responder = scripted_model
        assert main(["eval", str(run), "--model", "openai/scripted", "--api-base", server.base_url, "--quiet",
                     "--retries", "0", "--no-cache"]) == 0
    build_report(RunDir(run))
    return run


@pytest.mark.slow
def test_evaluation_panel_lists_metrics_and_links_failed_items_to_their_traces(browser, evaluated_run):
    _open(browser, evaluated_run / "report.html", "#eval")
    panel = browser.find_element(By.ID, "eval-panel")
    assert panel.get_attribute("open") == "true"
    metrics = browser.find_element(By.ID, "eval-metrics")
    assert "openai/scripted" in metrics.text
    accuracy = next(r for r in metrics.find_elements(By.CSS_SELECTOR, "tbody tr") if r.text.startswith("accuracy"))
    assert "60.9%" in accuracy.text  # 14 of 23
    failed = panel.find_element(By.CSS_SELECTOR, ".eval-failed")
    failed.find_element(By.TAG_NAME, "summary").click()
    link = next(a for a in failed.find_elements(By.TAG_NAME, "a") if a.text == "t03")
    link.click()
    WebDriverWait(browser, 10).until(
        lambda d: d.find_element(By.ID, "trace-detail").get_attribute("data-trace-id") == "t03")
    assert "Book R-101 for 4 people" in browser.find_element(By.ID, "trace-detail").text
    assert _console_problems(browser) == []
