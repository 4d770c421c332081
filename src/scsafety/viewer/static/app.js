// scsafety viewer. Model output is hostile: every piece of data reaches the page as a
// text node (textContent / createTextNode / new Option), never as markup.
"use strict";
(function () {
  const token = document.querySelector('meta[name="scsafety-token"]').getAttribute("content");
  const $ = (id) => document.getElementById(id);
  const state = { runId: null, run: null, offset: 0, total: 0, limit: 50, seq: 0 };

  // el("div", {class: "x", data: {k: v}, on: {click: f}}, child, "text", ...): no HTML parsing anywhere.
  function el(tag, props, ...children) {
    const node = document.createElement(tag);
    const p = props || {};
    if (p.class) node.className = p.class;
    if (p.text !== undefined && p.text !== null) node.textContent = String(p.text);
    if (p.title) node.title = String(p.title);
    if (p.type) node.type = p.type;
    if (p.value !== undefined) node.value = p.value;
    if (p.placeholder) node.placeholder = p.placeholder;
    if (p.maxLength) node.maxLength = p.maxLength;
    for (const [k, v] of Object.entries(p.data || {})) node.dataset[k] = String(v);
    for (const [k, f] of Object.entries(p.on || {})) node.addEventListener(k, f);
    for (const c of children) {
      if (c === null || c === undefined || c === false) continue;
      node.appendChild(typeof c === "string" || typeof c === "number" ? document.createTextNode(String(c)) : c);
    }
    return node;
  }

  function clear(node) { while (node.firstChild) node.removeChild(node.firstChild); }
  function fmt(x) { return x === null || x === undefined ? "—" : (typeof x === "number" ? x.toFixed(2) : String(x)); }
  function status(msg) { $("status").textContent = msg || ""; }

  async function api(path, options) {
    const resp = await fetch(path, Object.assign({ credentials: "same-origin", cache: "no-store" }, options || {}));
    let body = null;
    try { body = await resp.json(); } catch (e) { body = null; }
    if (!resp.ok) throw new Error((body && body.error) || ("HTTP " + resp.status));
    return body;
  }

  // ---- runs ---------------------------------------------------------------------
  async function loadRuns() {
    const data = await api("/api/runs");
    const body = $("runs").tBodies[0];
    clear(body);
    $("no-runs").hidden = data.runs.length > 0;
    for (const r of data.runs) {
      const humans = Object.values(r.human_judges || {}).reduce((a, b) => a + b, 0);
      body.appendChild(el("tr", { class: "run-row", data: { runId: r.run_id } },
        el("td", { class: "run-id", text: r.run_id }),
        el("td", { class: "run-model", text: r.model }),
        el("td", { text: r.judge || "—" }),
        el("td", { text: r.status }),
        el("td", { class: "num run-overall", text: fmt(r.overall) }),
        el("td", { class: "num", text: fmt(r.rounds && r.rounds["1"]) }),
        el("td", { class: "num", text: fmt(r.rounds && r.rounds["2"]) }),
        el("td", { class: "num", text: r.n_answers }),
        el("td", { class: "num", text: r.n_errors }),
        el("td", { class: "num", text: humans }),
        el("td", {}, el("button", { class: "open-run", type: "button", text: "查看 open",
                                    on: { click: () => { location.hash = "run=" + encodeURIComponent(r.run_id); } } }))));
    }
  }

  // ---- one run ------------------------------------------------------------------
  function fillSelect(select, options, keepFirst) {
    while (select.options.length > (keepFirst ? 1 : 0)) select.remove(select.options.length - 1);
    for (const [value, label] of options) select.add(new Option(label, value));
  }

  async function openRun(runId) {
    const run = await api("/api/runs/" + encodeURIComponent(runId));
    state.runId = runId;
    state.run = run;
    $("runs-section").hidden = true;
    $("run-section").hidden = false;
    $("run-title").textContent = "运行 run " + run.run_id + " · " + run.model;
    const summary = $("run-summary");
    clear(summary);
    const facts = [["评审 judge", run.judge || "—"], ["状态 status", run.status], ["总分 overall", fmt(run.overall)],
      ["第1轮 R1", fmt(run.rounds["1"])], ["第2轮 R2", fmt(run.rounds["2"])], ["条目 items", run.n_items],
      ["回答 answers", run.n_answers], ["错误 errors", run.n_errors], ["数据集 dataset", run.dataset]];
    for (const [name, label] of (run.facets.categories || []).map((c) => [c.label, run.categories[c.name]])) {
      facts.push([name, fmt(label)]);
    }
    for (const [k, v] of facts) summary.appendChild(el("div", {}, el("dt", { text: k }), el("dd", { text: v })));
    const f = run.facets;
    fillSelect($("f-category"), f.categories.map((c) => [c.name, c.label]), true);
    fillSelect($("f-subdimension"), f.subdimensions.map((s) => [s.name, s.label]), true);
    fillSelect($("f-round"), f.rounds.map((r) => [String(r), "第" + r + "轮 round " + r]), true);
    fillSelect($("f-judge"), f.judges.map((j) => [j, j === run.judge ? j + " (主 primary)" : j]), false);
    $("f-judge").value = run.judge || (f.judges[0] || "");
    $("filters").reset();
    $("f-judge").value = run.judge || (f.judges[0] || "");
    await loadConversations(false);
  }

  function query() {
    const params = new URLSearchParams();
    for (const id of ["f-category", "f-subdimension", "f-round", "f-judge", "f-score", "f-q"]) {
      const v = $(id).value.trim();
      if (v) params.set($(id).name, v);
    }
    if ($("f-disagree").checked) params.set("disagree", "1");
    if ($("f-unsure").checked) params.set("unsure", "1");
    params.set("offset", String(state.offset));
    params.set("limit", String(state.limit));
    return params;
  }

  async function loadConversations(append) {
    if (!append) state.offset = 0;
    const seq = ++state.seq;
    const data = await api("/api/runs/" + encodeURIComponent(state.runId) + "/conversations?" + query().toString());
    if (seq !== state.seq) return; // a newer filter change won
    const box = $("conversations");
    if (!append) clear(box);
    for (const c of data.conversations) box.appendChild(renderConversation(c));
    state.total = data.total;
    state.offset = data.offset + data.conversations.length;
    $("count").textContent = "共 " + data.total + " 段对话 conversations · 显示 shown " + state.offset;
    $("more").hidden = state.offset >= data.total;
  }

  function renderConversation(c) {
    const it = c.item;
    const head = el("div", { class: "conv-head" },
      el("span", { class: "item-id", text: it.id }),
      el("span", { class: "item-category", text: it.category_label || it.category }),
      el("span", { class: "item-subdimension", text: it.subdimension_label || it.subdimension }),
      el("span", { text: "期望 expected: " + it.expected }),
      it.attack ? el("span", { text: "攻击 attack: " + it.attack }) : null,
      (it.risks || []).length ? el("span", { text: "TC260: " + it.risks.join(", ") }) : null);
    const conv = el("article", { class: "conv", data: { itemId: it.id } }, head);
    for (const r of c.rounds) conv.appendChild(renderRound(r));
    return conv;
  }

  function renderRound(r) {
    const node = el("div", { class: "round" + (r.match ? " match" : ""),
                             data: { round: r.round, answerId: r.answer_id } },
      el("div", {}, el("span", { class: "round-label", text: "第" + r.round + "轮 round " + r.round }),
        r.disagree ? el("span", { class: "badge disagree", text: "评审分歧 judges disagree" }) : null,
        r.from_cache ? el("span", { class: "badge", text: "缓存 cached" }) : null),
      el("div", { class: "who", text: "问题 question" }),
      el("div", { class: "question", text: r.question }));
    if (r.error !== null && r.error !== undefined) {
      node.appendChild(el("div", { class: "who", text: "错误 error（不计分 not scored）" }));
      node.appendChild(el("div", { class: "error", text: r.error }));
    } else {
      node.appendChild(el("div", { class: "who", text: "回答 answer" + (r.finish_reason ? " · " + r.finish_reason : "") }));
      node.appendChild(el("div", { class: "answer", text: r.answer }));
    }
    const table = el("table", { class: "verdicts" });
    node.appendChild(table);
    renderVerdicts(table, r.verdicts);
    if (r.error === null || r.error === undefined) node.appendChild(renderRater(r, table));
    return node;
  }

  function renderVerdicts(table, verdicts) {
    clear(table);
    table.appendChild(el("tr", {}, el("th", { text: "评审 judge" }), el("th", { text: "分 score" }),
      el("th", { text: "理由 reason" })));
    for (const [judge, v] of Object.entries(verdicts)) {
      const failed = v.score === null || v.score === undefined;
      table.appendChild(el("tr", { class: "verdict" + (v.human ? " human-row" : ""), data: { judge: judge } },
        el("td", { class: "verdict-judge", text: judge + (v.human ? " · 人工 human" : (v.derived ? " · 聚合 derived" : ""))
          + (typeof v.confidence === "number" ? " · 把握 confidence " + v.confidence.toFixed(2) : "") }),
        el("td", { class: "verdict-score" + (failed ? "" : " score-" + v.score), text: failed ? "错误 error" : v.score }),
        el("td", { class: "reason", text: failed ? (v.error || "") : (v.reason || "") })));
    }
  }

  function renderRater(r, table) {
    const note = el("input", { class: "note", type: "text", maxLength: 4000, placeholder: "备注（可选）note, optional" });
    const result = el("span", { class: "result" });
    const box = el("div", { class: "rate" }, el("span", { text: "人工评分 your score:" }));
    for (const s of [0, 1, 2]) {
      box.appendChild(el("button", { class: "set-score score-" + s, type: "button", text: String(s), data: { score: s },
        on: { click: () => setScore(r, s, note, result, table) } }));
    }
    box.appendChild(note);
    box.appendChild(result);
    return box;
  }

  async function setScore(r, score, note, result, table) {
    result.className = "result";
    result.textContent = "…";
    const rater = $("rater").value.trim();
    try {
      const data = await api("/api/answers/" + encodeURIComponent(r.answer_id) + "/verdict", {
        method: "POST",
        headers: { "Content-Type": "application/json", "X-SCSafety-Token": token },
        body: JSON.stringify({ score: score, reason: note.value, rater: rater || null }),
      });
      r.verdicts[data.judge_id] = data.verdict;
      renderVerdicts(table, r.verdicts);
      result.className = "result saved";
      result.textContent = "已保存 saved: " + data.judge_id + " = " + data.verdict.score;
    } catch (e) {
      result.className = "result failed";
      result.textContent = "保存失败 failed: " + e.message;
    }
  }

  // ---- wiring -------------------------------------------------------------------
  async function route() {
    status("");
    const m = /^#run=(.+)$/.exec(location.hash);
    try {
      if (m) {
        await openRun(decodeURIComponent(m[1]));
      } else {
        state.runId = null;
        $("run-section").hidden = true;
        $("runs-section").hidden = false;
        await loadRuns();
      }
    } catch (e) {
      status("出错 error: " + e.message);
    }
    document.body.dataset.ready = "1";
  }

  function guarded(f) {
    return () => { f().catch((e) => status("出错 error: " + e.message)); };
  }

  document.addEventListener("DOMContentLoaded", () => {
    const rater = $("rater");
    try { rater.value = localStorage.getItem("scsafety.rater") || ""; } catch (e) { /* storage may be off */ }
    rater.addEventListener("change", () => {
      try { localStorage.setItem("scsafety.rater", rater.value.trim()); } catch (e) { /* ignore */ }
    });
    $("filters").addEventListener("change", guarded(() => loadConversations(false)));
    $("filters").addEventListener("submit", (ev) => { ev.preventDefault(); guarded(() => loadConversations(false))(); });
    $("more").addEventListener("click", guarded(() => loadConversations(true)));
    $("home").addEventListener("click", (ev) => { ev.preventDefault(); location.hash = ""; });
    window.addEventListener("hashchange", route);
    route();
  });
})();
