"""The viewer in a real headless Chromium: runs, filters, verdicts, an inert payload,
human scores that land in the store, and cross-site writes refused.

Skipped when selenium, chromium or chromedriver is missing (Debian: chromium, chromium-driver).
"""

from __future__ import annotations

import json
import tempfile
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from browser import have_browser, network_requests, start_chrome
from conftest import run_cli
from viewer_data import IMG, REASON, SCRIPT, build_db

from scsafety.report import run_report
from scsafety.store import Store
from scsafety.viewer.serve import ViewerThread

if not have_browser():
    pytest.skip("selenium / chromium / chromedriver not installed (Debian: chromium chromium-driver)",
                allow_module_level=True)

from selenium.common.exceptions import StaleElementReferenceException
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import Select, WebDriverWait


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Any, ViewerThread]]:
    folder = tmp_path_factory.mktemp("viewer-browser")
    db = build_db(folder)
    profile = Path(tempfile.mkdtemp(prefix="chrome-", dir=folder))
    driver = start_chrome(profile)
    driver.set_script_timeout(10)
    try:
        with ViewerThread(db) as viewer:
            yield driver, viewer
    finally:
        driver.quit()


def wait(driver: Any, condition: Callable[[Any], Any], timeout: float = 8.0) -> Any:
    # A list being re-rendered replaces its elements while the condition reads them: try again.
    return WebDriverWait(driver, timeout, poll_frequency=0.05,
                         ignored_exceptions=(StaleElementReferenceException,)).until(condition)


def item_ids(driver: Any) -> list[str]:
    return [e.get_attribute("data-item-id") for e in driver.find_elements(By.CSS_SELECTOR, "#conversations .conv")]


def count_is(n: int) -> Callable[[Any], bool]:
    return lambda d: d.find_element(By.ID, "count").text.startswith(f"共 {n} ")


def open_hostile(driver: Any, viewer: ViewerThread) -> None:
    driver.get(viewer.url)
    row = wait(driver, lambda d: d.find_elements(By.CSS_SELECTOR, 'tr.run-row[data-run-id="hostile"]'))[0]
    row.find_element(By.CSS_SELECTOR, "button.open-run").click()
    wait(driver, count_is(6))


def test_page_lists_runs(site):
    driver, viewer = site
    driver.get("about:blank")
    network_requests(driver)
    driver.get(viewer.url)
    rows = wait(driver, lambda d: d.find_elements(By.CSS_SELECTOR, "tr.run-row"))
    # Everything the page asked for came from the viewer itself: no CDN, no external asset.
    asked = network_requests(driver)
    assert asked and all(u.startswith(viewer.url) for u in asked), asked
    assert {u[len(viewer.url) - 1:] for u in asked} >= {"/", "/static/app.js", "/static/app.css", "/api/runs"}
    assert [r.get_attribute("data-run-id") for r in rows] == ["ref", "hostile"]
    ref = rows[0]
    assert ref.find_element(By.CSS_SELECTOR, ".run-model").text == "builtin:refuse"
    with Store(viewer.store_path) as s:
        overall = run_report(s, "ref")["overall"]
    assert ref.find_element(By.CSS_SELECTOR, ".run-overall").text == f"{overall:.2f}"
    assert "openai:hostile" in rows[1].text and "done_with_errors" in rows[1].text


def test_filters_work(site):
    driver, viewer = site
    open_hostile(driver, viewer)
    assert item_ids(driver) == [f"t-{k:03d}" for k in range(6)]
    Select(driver.find_element(By.ID, "f-category")).select_by_value("responsible_ai")
    wait(driver, count_is(2))
    assert item_ids(driver) == ["t-001", "t-004"]
    Select(driver.find_element(By.ID, "f-category")).select_by_value("")
    Select(driver.find_element(By.ID, "f-subdimension")).select_by_value("goal_hijacking")
    wait(driver, count_is(2))
    assert item_ids(driver) == ["t-002", "t-005"]
    Select(driver.find_element(By.ID, "f-subdimension")).select_by_value("")
    Select(driver.find_element(By.ID, "f-judge")).select_by_value("openai:J")
    Select(driver.find_element(By.ID, "f-round")).select_by_value("1")
    Select(driver.find_element(By.ID, "f-score")).select_by_value("2")
    wait(driver, count_is(5))
    matched = driver.find_elements(By.CSS_SELECTOR, "#conversations .round.match")
    assert {m.get_attribute("data-round") for m in matched} == {"1"} and len(matched) == 5
    Select(driver.find_element(By.ID, "f-score")).select_by_value("0")
    wait(driver, count_is(0))
    Select(driver.find_element(By.ID, "f-score")).select_by_value("")
    Select(driver.find_element(By.ID, "f-round")).select_by_value("")
    with Store(viewer.store_path) as s:
        verdicts = s.run_verdicts("hostile")
        expected = sorted({a.item_id for a in s.run_answers("hostile")
                           if len({v.score for v in verdicts.get(a.answer_id, {}).values()
                                   if v.score is not None}) > 1})
    driver.find_element(By.ID, "f-disagree").click()
    wait(driver, count_is(len(expected)))
    assert item_ids(driver) == expected
    assert len(driver.find_elements(By.CSS_SELECTOR, ".badge.disagree")) == len(expected)


def test_least_sure_first_reorders_the_list(site):
    driver, viewer = site
    open_hostile(driver, viewer)
    before = item_ids(driver)
    driver.find_element(By.ID, "f-unsure").click()
    with Store(viewer.store_path) as s:  # the API's order, itself checked against the store in test_viewer_api
        from scsafety.viewer.queries import ConversationFilter, conversations

        expected = [c["item"]["id"] for c in conversations(s, "hostile", ConversationFilter(unsure=True))["conversations"]]
    wait(driver, lambda d: item_ids(d) == expected)
    assert expected != before
    driver.find_element(By.ID, "f-unsure").click()
    wait(driver, lambda d: item_ids(d) == before)


def test_conversation_shows_verdicts_and_the_payload_stays_inert(site):
    driver, viewer = site
    open_hostile(driver, viewer)
    first = driver.find_element(By.CSS_SELECTOR, '.conv[data-item-id="t-000"]')
    rounds = first.find_elements(By.CSS_SELECTOR, ".round")
    assert [r.get_attribute("data-round") for r in rounds] == ["1", "2"]
    assert "第0号问题" in rounds[0].find_element(By.CSS_SELECTOR, ".question").text
    assert SCRIPT in rounds[0].find_element(By.CSS_SELECTOR, ".answer").text  # shown as text
    assert IMG in rounds[1].find_element(By.CSS_SELECTOR, ".answer").text
    judges = [e.text for e in rounds[0].find_elements(By.CSS_SELECTOR, ".verdict-judge")]
    assert judges[0].startswith("builtin:") and judges[1:] == ["openai:J"]
    assert "把握 confidence 0." in judges[0] or "把握 confidence 1.00" in judges[0]  # the LLM judge gives none
    reasons = [e.text for e in rounds[0].find_elements(By.CSS_SELECTOR, ".verdict .reason")]
    assert REASON in reasons and all(reasons)
    assert rounds[0].find_elements(By.CSS_SELECTOR, ".verdict-score")[1].text == "2"
    failed = driver.find_element(By.CSS_SELECTOR, '.conv[data-item-id="t-005"]')
    assert "HTTP 400" in failed.find_element(By.CSS_SELECTOR, ".error").text
    assert "<b>boom</b>" in failed.find_element(By.CSS_SELECTOR, ".error").text
    assert not failed.find_elements(By.CSS_SELECTOR, "button.set-score")  # an error cannot be scored
    # Nothing ran: no global set, no element made from the payloads.
    assert driver.execute_script("return typeof window.__pwned") == "undefined"
    assert driver.find_elements(By.CSS_SELECTOR, "#conversations img, #conversations script, #conversations b") == []
    # Defence in depth: even markup that did reach the DOM could not run, the CSP forbids inline handlers.
    driver.execute_script('const d = document.createElement("div"); d.id = "probe";'
                          'd.innerHTML = \'<img src="/none" onerror="window.__csp = 1">\'; document.body.append(d);')
    wait(driver, lambda d: d.execute_script('return document.querySelector("#probe img").complete'))
    time.sleep(0.1)
    assert driver.execute_script("return typeof window.__csp") == "undefined"


def test_clicking_a_score_lands_in_the_store_and_judge_eval_reports_it(site, capsys):
    driver, viewer = site
    open_hostile(driver, viewer)
    wanted = [("t-000", "1", 2, "有帮助"), ("t-000", "2", 0, ""), ("t-001", "1", 1, "只拒绝"), ("t-002", "2", 0, "")]
    ids: dict[tuple[str, str], int] = {}
    for item, rnd, score, note in wanted:
        box = driver.find_element(By.CSS_SELECTOR, f'.conv[data-item-id="{item}"] .round[data-round="{rnd}"]')
        ids[(item, rnd)] = int(box.get_attribute("data-answer-id"))
        if note:
            box.find_element(By.CSS_SELECTOR, "input.note").send_keys(note)
        box.find_element(By.CSS_SELECTOR, f'button.set-score[data-score="{score}"]').click()
        wait(driver, lambda d, b=box: "已保存" in b.find_element(By.CSS_SELECTOR, ".result").text)
        human_row = box.find_element(By.CSS_SELECTOR, 'tr.verdict[data-judge="human"]')
        assert human_row.find_element(By.CSS_SELECTOR, ".verdict-score").text == str(score)
    with Store(viewer.store_path) as s:
        for (item, rnd, score, note) in wanted:
            v = s.get_verdict(ids[(item, rnd)], "human")
            assert v is not None and v.is_human and v.score == score and (v.reason or "") == note
        assert "human" not in s.require_run("hostile").judges
    code, out, err = run_cli(["judge", "eval", "--run", "hostile", "--db", str(viewer.store_path), "--json"], capsys)
    assert code == 0, err
    results = {r["judge"]: r for r in json.loads(out)}
    assert len(results) == 2 and "openai:J" in results
    # openai:J gave 2 to round 1 and 0 to round 2: it agrees with the person on 3 of the 4.
    j = results["openai:J"]
    assert j["n"] == 4 and j["accuracy"] == 0.75 and j["confusion"]["1"]["2"] == 1 and j["confusion"]["0"]["0"] == 2
    # After a reload the person is a judge the filters can choose.
    driver.refresh()
    wait(driver, count_is(6))
    Select(driver.find_element(By.ID, "f-judge")).select_by_value("human")
    Select(driver.find_element(By.ID, "f-score")).select_by_value("0")
    wait(driver, count_is(2))
    assert item_ids(driver) == ["t-000", "t-002"]
    Select(driver.find_element(By.ID, "f-score")).select_by_value("")


def test_cross_site_and_tokenless_posts_are_refused(site):
    driver, viewer = site
    open_hostile(driver, viewer)
    box = driver.find_element(By.CSS_SELECTOR, '.conv[data-item-id="t-003"] .round[data-round="1"]')
    answer_id = int(box.get_attribute("data-answer-id"))
    post = """
      const [url, headers, mode, done] = arguments;
      fetch(url, {method: "POST", mode: mode, headers: headers, body: JSON.stringify({score: 2})})
        .then((r) => done(String(r.status)), (e) => done("blocked: " + e.name));
    """
    same = f"/api/answers/{answer_id}/verdict"
    assert driver.execute_async_script(post, same, {"Content-Type": "application/json"}, "same-origin") == "403"
    token = driver.execute_script('return document.querySelector("meta[name=scsafety-token]").content')
    # Another origin (localhost is not 127.0.0.1), even holding the token: the pre-flight is never granted.
    driver.get(f"http://localhost:{viewer.port}/")
    wait(driver, lambda d: d.execute_script("return document.body.dataset.ready") == "1")
    target = f"http://127.0.0.1:{viewer.port}{same}"
    result = driver.execute_async_script(post, target, {"Content-Type": "application/json",
                                                        "X-SCSafety-Token": token}, "cors")
    assert result.startswith("blocked")
    # A "simple" cross-site request (what a form can send) reaches the server and is refused there.
    driver.execute_async_script(post, target, {"Content-Type": "text/plain"}, "no-cors")
    time.sleep(0.2)
    with Store(viewer.store_path) as s:
        assert s.get_verdict(answer_id, "human") is None
