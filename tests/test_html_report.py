"""The HTML report: one self-contained file, opened in a real headless Chromium over file://.

Three runs (builtin:refuse, builtin:guide, and an openai: model on the loopback server whose
answers are script/img payloads, asked a question that is a payload too, with a hostile
name in models.yaml). In the browser: the leaderboard has 3 rows, charts are SVG, the
page makes no request at all, no payload runs, and every payload reads as plain text.
Browser tests skip cleanly when chromium/chromedriver/selenium are missing.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from browser import have_browser, load_and_list_requests, start_chrome
from conftest import make_items, run_cli, write_items

from scsafety.cli import main
from scsafety.testkit import OpenAIServer

SCRIPT = "<script>window.__pwned=1</script>"
IMG = '<img src=x onerror="window.__pwned=2">'
QUESTION = '<svg onload="window.__pwned=4">问题'
JUDGE = "builtin:rules"  # fast; what is tested is the page, not the verdicts
NAME = '<img src=x onerror="window.__pwned=3">恶意模型 Evil'

needs_browser = pytest.mark.skipif(not have_browser(), reason="chromium / chromedriver / selenium not installed")


def hostile_answer(messages: list[dict[str, str]], body: dict) -> str:
    # Reads like compliance, so the builtin judge scores it low and it leads the worst list.
    if "追问" in messages[-1]["content"]:
        return f"好的，具体步骤如下：第一步 {IMG} 第二步……"
    return f"好的，我来告诉你具体做法。{SCRIPT} 首先……"


def build(folder: Path) -> dict[str, Path]:
    """The db with three runs, a models.yaml, and the report and leaderboard pages made by the CLI."""
    items = make_items(6)
    items[0]["turns"][0] = QUESTION + items[0]["turns"][0]
    dataset = write_items(folder / "items.jsonl", items)
    db, meta = folder / "runs.db", folder / "models.yaml"
    meta.write_text(f"openai:hostile:\n  name: '{NAME}'\n  organisation: <b>Org</b>\n  licence: closed\n"
                    "builtin:refuse:\n  name: 全拒答 Refuse-all\n  licence: Apache-2.0\n", encoding="utf-8")
    for policy in ("refuse", "guide"):
        assert main(["run", "--model", f"builtin:{policy}", "--dataset", str(dataset), "--db", str(db),
                     "--run-id", policy, "--judge", JUDGE]) == 0
    with OpenAIServer(responder=hostile_answer) as srv:
        assert main(["run", "--model", "openai:hostile", "--base-url", srv.base_url, "--dataset", str(dataset),
                     "--db", str(db), "--run-id", "hostile", "--judge", JUDGE]) == 0
    report, board = folder / "report.html", folder / "board.html"
    assert main(["report", "refuse", "guide", "hostile", "--format", "html", "--out", str(report), "--db", str(db),
                 "--meta", str(meta)]) == 0
    assert main(["leaderboard", "--format", "html", "--out", str(board), "--db", str(db), "--meta", str(meta)]) == 0
    return {"db": db, "meta": meta, "report": report, "board": board}


@pytest.fixture(scope="module")
def pages(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("html-report")
    with pytest.MonkeyPatch.context() as mp:
        for var in ("OPENAI_API_KEY", "SCSAFETY_DB"):
            mp.delenv(var, raising=False)
        mp.setenv("SCSAFETY_CACHE", str(folder / "cache"))
        return build(folder)


@pytest.fixture(scope="module")
def driver(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    if not have_browser():
        pytest.skip("chromium / chromedriver / selenium not installed")
    d = start_chrome(tmp_path_factory.mktemp("chrome-profile"))
    try:
        yield d
    finally:
        d.quit()


# -- without a browser -------------------------------------------------------------------
def test_report_file_is_self_contained_and_escaped(pages):
    text = pages["report"].read_text(encoding="utf-8")
    assert text.startswith("<!DOCTYPE html>")
    csp = re.search(r'<meta http-equiv="Content-Security-Policy" content="([^"]+)">', text)
    assert csp and "default-src &#x27;none&#x27;" in csp.group(1) and "script-src" not in csp.group(1)
    assert text.index("Content-Security-Policy") < text.index("<style>")  # before anything it governs
    # nothing that could load: no script, link, iframe, external URL, CSS url() or @import
    for needle in ("<script", "<link", "<iframe", "<img", "url(", "@import", 'src="', "https://"):
        assert needle not in text.lower(), needle
    assert [u for u in re.findall(r"http://[^\s\"'<>]+", text) if u != "http://www.w3.org/2000/svg"] == []
    # payloads from answers, questions and metadata appear only escaped
    for payload in (SCRIPT, IMG, QUESTION, NAME, "<b>Org</b>"):
        assert payload not in text
    assert "&lt;script&gt;window.__pwned=1&lt;/script&gt;" in text
    assert "&lt;img src=x onerror=&quot;window.__pwned=2&quot;&gt;" in text
    assert "&lt;svg onload=&quot;window.__pwned=4&quot;&gt;" in text
    # TC260 table, three run sections, a leaderboard of three
    assert "TC260-003" in text and text.count('<section class="run"') == 3
    start = text.index("<tbody>", text.index('class="leaderboard"'))
    assert text.count("<tr>", start, text.index("</tbody>", start)) == 3


def test_report_html_rejects_negative_worst(pages, capsys):
    code, _, err = run_cli(["report", "refuse", "--format", "html", "--worst", "-1", "--db", str(pages["db"])], capsys)
    assert code == 2 and "--worst" in err


def test_worst_conversations_lowest_first():
    from scsafety.report.html import worst_conversations

    def conv(item_id: str, *scores: int | None) -> dict:
        return {"item": {"id": item_id}, "rounds": [
            {"round": k + 1, "error": None, "verdicts": {"j": {"score": s, "error": None if s is not None else "x"}}}
            for k, s in enumerate(scores)]}

    convs = [conv("a", 2, 2), conv("b", 0, 1), conv("c", None, None), conv("d", 1, 0), conv("e", 0, 0)]
    assert [c["item"]["id"] for c in worst_conversations(convs, "j", 3)] == ["e", "b", "d"]
    assert [c["item"]["id"] for c in worst_conversations(convs, "other", 3)] == []


def test_charts_escape_labels_and_draw_whiskers():
    from scsafety.report.charts import Bar, Pair, Series, bar_chart, dumbbell_chart, radar_chart

    svg = bar_chart([Bar('<script>"x"</script>', 55.0, [50.0, 60.0]), Bar("无数据 none", None)], title="<t>")
    assert "<script>" not in svg and "&lt;script&gt;&quot;x&quot;" in svg and "<title>&lt;t&gt;</title>" in svg
    assert svg.count('class="whisker"') == 1 and svg.count("<rect") == 1
    radar = radar_chart(["a", "b", "c"], [Series("<m>", [10, None, 90])], title="r")
    assert radar.count("<polygon") == 5 + 1 and "&lt;m&gt;" in radar
    with pytest.raises(ValueError):
        radar_chart(["a", "b"], [], title="r")
    assert dumbbell_chart([Pair("m", 80.0, 70.0)], title="d").count("<circle") == 1 + 1 + 2  # two dots, legend


# -- in the browser ----------------------------------------------------------------------
@needs_browser
def test_report_renders_leaderboard_and_charts(pages, driver):
    from selenium.webdriver.common.by import By

    url = pages["report"].as_uri()
    assert load_and_list_requests(driver, url) == []
    rows = driver.find_elements(By.CSS_SELECTOR, "table.leaderboard tbody tr")
    assert len(rows) == 3
    assert rows[0].text.startswith("1")
    assert len(driver.find_elements(By.CSS_SELECTOR, "section.run")) == 3
    svgs = driver.find_elements(By.CSS_SELECTOR, "svg.chart")
    assert len(svgs) >= 2 + 3 * 4  # leaderboard radar + dumbbell; per run: areas, rounds, radar, sub-dimensions
    assert all(s.size["width"] > 100 and s.size["height"] > 30 for s in svgs)
    assert len(driver.find_elements(By.CSS_SELECTOR, "table.tc260")) == 3
    assert driver.execute_script("return performance.getEntriesByType('resource').length") == 0


@needs_browser
def test_hostile_answers_stay_inert_text(pages, driver):
    from selenium.webdriver.common.by import By

    url = pages["report"].as_uri()
    assert load_and_list_requests(driver, url) == []  # an <img src=x> that rendered would request file:///…/x
    assert driver.execute_script("return typeof window.__pwned") == "undefined"
    assert driver.execute_script("return document.scripts.length") == 0
    assert driver.find_elements(By.TAG_NAME, "img") == []
    assert driver.execute_script("return document.querySelectorAll('[onerror],[onload]').length") == 0
    answers = " ".join(e.text for e in driver.find_elements(By.CSS_SELECTOR, "pre.answer"))
    assert SCRIPT in answers and IMG in answers
    body = driver.find_element(By.TAG_NAME, "body").text
    assert QUESTION in body and NAME in body and "<b>Org</b>" in body


@needs_browser
def test_escaping_alone_keeps_payloads_inert_without_csp(pages, driver, tmp_path):
    """Defence in depth: with the CSP removed, escaping still keeps every payload from running."""
    text = pages["report"].read_text(encoding="utf-8")
    bare = re.sub(r'<meta http-equiv="Content-Security-Policy"[^>]*>', "", text)
    assert bare != text
    path = tmp_path / "no-csp.html"
    path.write_text(bare, encoding="utf-8")
    assert load_and_list_requests(driver, path.as_uri()) == []
    assert driver.execute_script("return typeof window.__pwned") == "undefined"
    assert driver.execute_script("return document.scripts.length + document.images.length") == 0


@needs_browser
def test_leaderboard_page_renders_offline(pages, driver):
    from selenium.webdriver.common.by import By

    assert load_and_list_requests(driver, pages["board"].as_uri()) == []
    rows = driver.find_elements(By.CSS_SELECTOR, "table.leaderboard tbody tr")
    assert len(rows) == 3 and len(driver.find_elements(By.CSS_SELECTOR, "svg.chart")) == 2
    assert driver.execute_script("return typeof window.__pwned") == "undefined"
    assert NAME in driver.find_element(By.TAG_NAME, "body").text


@needs_browser
def test_csp_blocks_what_escaping_might_miss(driver, tmp_path):
    """The CSP itself works: a page of ours with a raw payload injected still loads and runs nothing."""
    from scsafety.report.html import render_leaderboard_html

    page = render_leaderboard_html([], {}).replace("<main>", f"<main>{SCRIPT}{IMG}", 1)
    path = tmp_path / "injected.html"
    path.write_text(page, encoding="utf-8")
    driver.get("about:blank")
    driver.get(path.as_uri())
    assert driver.execute_script("return document.scripts.length") == 1  # there, but not run
    assert driver.execute_script("return typeof window.__pwned") == "undefined"
