"""The report in a real browser: Debian's chromium, headless, driven by Selenium.

Opens the report of models/two_way_handshake.tcp from a file:// URL, steps through the
stale-SYN counterexample with the buttons, the arrow keys and the slider, and checks that
what the page shows is what the trace says, that the page fetched nothing, and saves a
screenshot (tests/artifacts/report.png, and $TCPCHECK_ARTIFACTS/report.png when set).
"""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import pytest

from tcpcheck.explicit import check
from tcpcheck.loader import load_file
from tcpcheck.render.report import report

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM, CHROMEDRIVER = Path("/usr/bin/chromium"), Path("/usr/bin/chromedriver")
WAIT_SECONDS = 10

webdriver = pytest.importorskip("selenium.webdriver", reason="selenium is not installed "
                                "(pip install '.[test]')")
pytestmark = pytest.mark.skipif(
    not (CHROMIUM.exists() and CHROMEDRIVER.exists()),
    reason="needs Debian's chromium and chromium-driver (.ci/run installs them: "
           "apt-get install chromium chromium-driver)")

from selenium.webdriver.chrome.service import Service  # noqa: E402
from selenium.webdriver.common.by import By  # noqa: E402
from selenium.webdriver.common.keys import Keys  # noqa: E402
from selenium.webdriver.support.ui import WebDriverWait  # noqa: E402


@pytest.fixture(scope="module")
def run():
    model = load_file(ROOT / "models" / "two_way_handshake.tcp")
    result = check(model)
    return model, result, result.get("no_stale_accept").trace


@pytest.fixture(scope="module")
def page_url(run, tmp_path_factory) -> str:
    model, result, _ = run
    path = tmp_path_factory.mktemp("report") / "report.html"
    path.write_text(report(model, result), encoding="utf-8")
    return path.as_uri()


@pytest.fixture(scope="module")
def browser():
    # Selenium Manager (which may download drivers) is skipped when the Service names the
    # driver; SE_OFFLINE forbids it any network access should it run anyway.
    os.environ.setdefault("SE_OFFLINE", "true")
    options = webdriver.ChromeOptions()
    options.binary_location = str(CHROMIUM)
    for argument in ("--headless=new", "--no-sandbox", "--disable-gpu",
                     "--window-size=1200,1300", "--disable-dev-shm-usage"):
        options.add_argument(argument)
    options.set_capability("goog:loggingPrefs", {"performance": "ALL"})
    driver = webdriver.Chrome(options=options, service=Service(str(CHROMEDRIVER)))
    driver.set_page_load_timeout(WAIT_SECONDS)
    yield driver
    driver.quit()


def _section(driver):
    return driver.find_element(By.ID, "trace-no_stale_accept")


def _shown(driver, endpoint: str, selector: str) -> str:
    cell = _section(driver).find_element(
        By.CSS_SELECTOR, f'table[data-endpoint="{endpoint}"] {selector} td.value')
    return cell.text


def _wait_for_step(driver, n: int, total: int) -> None:
    WebDriverWait(driver, WAIT_SECONDS).until(
        lambda d: _section(d).find_element(By.CLASS_NAME, "position").text
        == f"step {n} of {total}")


def _assert_shows(driver, trace, n: int) -> None:
    """The page shows step ``n`` of ``trace``: its description, every endpoint's control
    state, incarnation and variables, and the chart's group for step n is the current one."""
    _wait_for_step(driver, n, len(trace))
    step = trace.steps[n]
    assert _section(driver).find_element(By.CLASS_NAME, "description").text.startswith(
        f"{n}. {step.summary}")
    for view in step.state.endpoints:
        assert _shown(driver, view.name, '[data-field="state"]') == view.state
        assert _shown(driver, view.name, '[data-field="incarnation"]') == str(view.incarnation)
        for name, value in view.variables:
            shown = _shown(driver, view.name, f'[data-var="{name}"]')
            assert shown == _value_text(value), (n, view.name, name)
    current = _section(driver).find_elements(By.CSS_SELECTOR, ".chart g.step.current")
    assert [g.get_attribute("data-step") for g in current] == [str(n)]


def _value_text(value) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, tuple):
        return "{" + ",".join(map(str, value)) + "}"
    return str(value)


def _changed(driver, endpoint: str, selector: str) -> bool:
    cell = _section(driver).find_element(
        By.CSS_SELECTOR, f'table[data-endpoint="{endpoint}"] {selector} td.value')
    return "changed" in cell.get_attribute("class").split()


def _press(driver, key) -> None:
    webdriver.ActionChains(driver).send_keys(key).perform()


def test_stepping_shows_the_trace(browser, page_url, run):
    _, _, trace = run
    assert len(trace) == 3
    browser.get(page_url)
    _assert_shows(browser, trace, 0)
    assert not _section(browser).find_elements(By.CSS_SELECTOR, ".panels .changed")

    _section(browser).find_element(By.CLASS_NAME, "next").click()
    _assert_shows(browser, trace, 1)
    assert _shown(browser, "client", '[data-field="state"]') == "SYN_SENT"
    assert _changed(browser, "client", '[data-field="state"]')
    assert not _changed(browser, "server", '[data-field="state"]')
    sent = _section(browser).find_elements(By.CSS_SELECTOR, ".channel li.segment")
    assert [(li.text, "changed" in li.get_attribute("class")) for li in sent] == [
        ("client\u2192server SYN seq=0 conn=0", True)]

    _section(browser).find_element(By.CLASS_NAME, "next").click()
    _assert_shows(browser, trace, 2)
    assert _shown(browser, "client", '[data-field="state"]') == "CLOSED"
    assert _shown(browser, "client", '[data-field="incarnation"]') == "1"
    assert _changed(browser, "client", '[data-field="incarnation"]')

    _press(browser, Keys.ARROW_RIGHT)
    _assert_shows(browser, trace, 3)
    assert _shown(browser, "server", '[data-field="state"]') == "ESTABLISHED"
    assert _changed(browser, "server", '[data-field="state"]')
    assert _shown(browser, "server", '[data-var="peer"]') == "0"  # the dead incarnation's
    arrows = _section(browser).find_elements(By.CSS_SELECTOR, ".chart .current-arrow")
    assert {a.get_attribute("data-arrived") for a in arrows} >= {"3"}

    _press(browser, Keys.ARROW_RIGHT)  # the last step stays the last
    _assert_shows(browser, trace, 3)
    _press(browser, Keys.ARROW_LEFT)
    _assert_shows(browser, trace, 2)
    _section(browser).find_element(By.CLASS_NAME, "prev").click()
    _assert_shows(browser, trace, 1)


def test_the_slider_moves_one_step_per_key(browser, page_url, run):
    """The slider handles its own arrow keys; the page's handler must not add a second step."""
    _, _, trace = run
    browser.get(page_url)
    _assert_shows(browser, trace, 0)
    slider = _section(browser).find_element(By.CLASS_NAME, "slider")
    slider.send_keys(Keys.ARROW_RIGHT)
    _assert_shows(browser, trace, 1)
    slider.send_keys(Keys.END)
    _assert_shows(browser, trace, 3)


def test_the_page_makes_no_network_request(browser, page_url):
    browser.get_log("performance")  # drop what earlier tests logged
    browser.get(page_url)
    WebDriverWait(browser, WAIT_SECONDS).until(
        lambda d: d.execute_script("return document.readyState") == "complete")
    resources = browser.execute_script(
        "return performance.getEntriesByType('resource').map(e => e.name)")
    assert resources == []
    external = browser.execute_script(
        "return [...document.querySelectorAll('[src],[href]')]"
        ".map(e => e.getAttribute('src') || e.getAttribute('href'))"
        ".filter(u => !u.startsWith('#'))")
    assert external == []
    requested = [json.loads(entry["message"])["message"]["params"]["request"]["url"]
                 for entry in browser.get_log("performance")
                 if '"Network.requestWillBeSent"' in entry["message"]]
    assert requested and all(url.startswith("file://") for url in requested), requested


def test_screenshot(browser, page_url, run):
    _, _, trace = run
    browser.get(page_url)
    _section(browser).find_element(By.CLASS_NAME, "next").click()
    _section(browser).find_element(By.CLASS_NAME, "next").click()
    _assert_shows(browser, trace, 2)
    artifacts = ROOT / "tests" / "artifacts"
    artifacts.mkdir(exist_ok=True)
    shot = artifacts / "report.png"
    assert browser.save_screenshot(str(shot))
    assert shot.read_bytes().startswith(b"\x89PNG")
    extra = os.environ.get("TCPCHECK_ARTIFACTS")
    if extra:
        Path(extra).mkdir(parents=True, exist_ok=True)
        shutil.copy(shot, Path(extra) / "report.png")


@pytest.fixture(scope="module")
def zh_page_url(run, tmp_path_factory) -> str:
    from tcpcheck.explain import explain, step_sentences

    model, result, trace = run
    p = result.get("no_stale_accept")
    page = report(model, result, lang="zh", explanations={p.name: explain(model, p, "zh")},
                  descriptions={p.name: step_sentences(model, trace, "zh")})
    path = tmp_path_factory.mktemp("report_zh") / "report.html"
    path.write_text(page, encoding="utf-8")
    return path.as_uri()


def test_the_chinese_page_speaks_chinese_as_it_steps(browser, zh_page_url, run):
    """With --lang zh what the script writes is Chinese too: the position, each step's
    description, the panels' labels."""
    model, _, trace = run
    browser.get(zh_page_url)
    position = lambda: _section(browser).find_element(By.CLASS_NAME, "position").text
    WebDriverWait(browser, WAIT_SECONDS).until(lambda d: position() == "第 0 步，共 3 步")
    description = _section(browser).find_element(By.CLASS_NAME, "description")
    assert description.text == "0. 初始状态。"
    _section(browser).find_element(By.CLASS_NAME, "next").click()
    WebDriverWait(browser, WAIT_SECONDS).until(lambda d: position() == "第 1 步，共 3 步")
    assert description.text.startswith("1. 客户端调用 OPEN [connect")
    labels = [td.text for td in _section(browser).find_elements(
        By.CSS_SELECTOR, 'table[data-endpoint="client"] td:first-child')]
    assert labels[:2] == ["状态", "实例"] and "定时器 rexmt" in labels
    channel = _section(browser).find_element(By.CLASS_NAME, "channel").text
    assert channel.startswith("网络中的报文段") and "已丢失 0，已复制 0" in channel
    buttons = [b.text for b in _section(browser).find_elements(By.CSS_SELECTOR, "button")]
    assert buttons == ["第一步", "◀ 上一步", "下一步 ▶", "最后一步"]
