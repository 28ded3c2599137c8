/* toolsim report: browse traces and verdicts of one run, offline.
 *
 * The data is embedded as JSON (see simulator/report/build.py for its compact layout). Filtering
 * works on the small `rows` table only; the list shows one page; a trace's messages are turned
 * into DOM only when it is selected. That keeps 10,000 traces responsive.
 * Every piece of run data reaches the page through textContent, never innerHTML.
 */
(function () {
  "use strict";

  const DATA = JSON.parse(document.getElementById("report-data").textContent);
  const F = DATA.facets;
  const DECISION_NAMES = ["accept", "reject", "unjudged"];
  const PAGE_SIZE = 100;
  const CHART_MAX_BARS = 12;
  // row layout (build.py ROW_FIELDS): id, scenario, persona, tool, category, decision, reasons, overridden, language, termination
  const R = { id: 0, scenario: 1, persona: 2, tool: 3, category: 4, decision: 5, reasons: 6, overridden: 7, language: 8, termination: 9 };
  const FACETS = ["decision", "reason", "tool", "persona", "category"];

  const rows = DATA.rows;
  const state = { decision: "", reason: "", tool: "", persona: "", category: "", q: "", page: 0, selected: -1 };
  let filtered = [];
  let haystack = null; // built on the first text search only

  const $ = (id) => document.getElementById(id);
  function el(tag, cls, text) {
    const node = document.createElement(tag);
    if (cls) node.className = cls;
    if (text !== undefined && text !== null) node.textContent = text;
    return node;
  }
  function svg(tag, attrs) {
    const node = document.createElementNS("http://www.w3.org/2000/svg", tag);
    for (const k in attrs) node.setAttribute(k, attrs[k]);
    return node;
  }

  // ------------------------------------------------------------ filtering

  function facetValue(row, facet) {
    switch (facet) {
      case "decision": return String(row[R.decision]);
      case "tool": return String(row[R.tool]);
      case "persona": return String(row[R.persona]);
      case "category": return String(row[R.category]);
      default: return null;
    }
  }

  function searchText(i) {
    if (!haystack) {
      haystack = new Array(rows.length);
      for (let k = 0; k < rows.length; k++) {
        const r = rows[k];
        const parts = [r[R.id], F.scenario[r[R.scenario]], F.persona[r[R.persona]], F.tool[r[R.tool]], F.category[r[R.category]]];
        for (const reason of r[R.reasons]) parts.push(F.reason[reason]);
        for (const m of DATA.details[k].m) {
          if (m[0] === "u") parts.push(m[1]);
          else if (m[0] === "a") { if (m[1]) parts.push(m[1]); for (const c of m[2] || []) parts.push(c[1], c[2]); }
          else if (m[0] === "t") parts.push(m[2], m[3]);
        }
        haystack[k] = parts.join("\n").toLowerCase();
      }
    }
    return haystack[i];
  }

  function passes(i, except) {
    const r = rows[i];
    for (const facet of FACETS) {
      if (facet === except || state[facet] === "") continue;
      if (facet === "reason") { if (r[R.reasons].indexOf(Number(state.reason)) < 0) return false; }
      else if (facetValue(r, facet) !== state[facet]) return false;
    }
    if (state.q && except !== "q") {
      const words = state.q.toLowerCase().split(/\s+/).filter(Boolean);
      const text = searchText(i);
      for (const w of words) if (text.indexOf(w) < 0) return false;
    }
    return true;
  }

  function applyFilters(keepPage) {
    filtered = [];
    for (let i = 0; i < rows.length; i++) if (passes(i, null)) filtered.push(i);
    if (!keepPage) state.page = 0;
    state.page = Math.min(state.page, Math.max(0, Math.ceil(filtered.length / PAGE_SIZE) - 1));
    $("shown-count").textContent = filtered.length.toLocaleString("en");
    updateFacetOptions();
    renderList();
    renderCharts();
  }

  function facetLabels(facet) {
    if (facet === "decision") return DECISION_NAMES;
    return F[facet];
  }

  // Option counts are faceted: each select counts what its choices would show given the *other* filters.
  function updateFacetOptions() {
    for (const facet of FACETS) {
      const counts = new Map();
      let base = 0;
      for (let i = 0; i < rows.length; i++) {
        if (!passes(i, facet)) continue;
        base++;
        if (facet === "reason") for (const reason of rows[i][R.reasons]) counts.set(String(reason), (counts.get(String(reason)) || 0) + 1);
        else { const v = facetValue(rows[i], facet); counts.set(v, (counts.get(v) || 0) + 1); }
      }
      const select = $("filter-" + facet);
      const labels = facetLabels(facet);
      const options = [["", "all (" + base + ")"]];
      const order = labels.map((_, idx) => idx).filter((idx) => counts.has(String(idx)) || String(idx) === state[facet]);
      if (facet !== "decision") order.sort((a, b) => (counts.get(String(b)) || 0) - (counts.get(String(a)) || 0) || String(labels[a]).localeCompare(String(labels[b])));
      for (const idx of order) options.push([String(idx), labels[idx] + " (" + (counts.get(String(idx)) || 0) + ")"]);
      select.textContent = "";
      for (const [value, label] of options) {
        const opt = el("option", null, label);
        opt.value = value;
        opt.dataset.value = value === "" ? "" : labels[Number(value)];
        select.appendChild(opt);
      }
      select.value = state[facet];
      select.classList.toggle("active", state[facet] !== "");
    }
    $("filter-search").classList.toggle("active", state.q !== "");
  }

  // ------------------------------------------------------------ list

  function decisionBadge(code, overridden) {
    const frag = document.createDocumentFragment();
    frag.appendChild(el("span", "badge " + DECISION_NAMES[code], DECISION_NAMES[code]));
    if (overridden) { frag.appendChild(document.createTextNode(" ")); frag.appendChild(el("span", "badge human", "human")); }
    return frag;
  }

  function renderList() {
    const list = $("trace-list");
    list.textContent = "";
    const pages = Math.max(1, Math.ceil(filtered.length / PAGE_SIZE));
    const start = state.page * PAGE_SIZE;
    const frag = document.createDocumentFragment();
    for (const i of filtered.slice(start, start + PAGE_SIZE)) {
      const r = rows[i];
      const row = el("div", "trace-row" + (i === state.selected ? " selected" : ""));
      row.dataset.traceId = r[R.id];
      row.dataset.index = String(i);
      row.dataset.decision = DECISION_NAMES[r[R.decision]];
      row.setAttribute("role", "option");
      row.appendChild(el("span", "tid", r[R.id]));
      row.title = r[R.id];
      const badge = el("span", "badges");
      badge.appendChild(decisionBadge(r[R.decision], r[R.overridden]));
      row.appendChild(badge);
      row.appendChild(el("span", "meta", [F.scenario[r[R.scenario]], F.persona[r[R.persona]], F.tool[r[R.tool]], F.category[r[R.category]]].join(" · ")));
      if (r[R.reasons].length) {
        const chips = el("span", "chips");
        for (const reason of r[R.reasons]) chips.appendChild(el("span", "chip", F.reason[reason]));
        row.appendChild(chips);
      }
      frag.appendChild(row);
    }
    if (!filtered.length) frag.appendChild(el("div", "empty-list", "No trace matches these filters."));
    list.appendChild(frag);
    list.scrollTop = 0;
    $("page-info").textContent = filtered.length ? "page " + (state.page + 1) + " of " + pages + " · " + (start + 1) + "–" + Math.min(start + PAGE_SIZE, filtered.length) : "";
    $("page-prev").disabled = state.page === 0;
    $("page-next").disabled = state.page >= pages - 1;
  }

  // ------------------------------------------------------------ charts

  function countBy(getter) {
    const counts = new Map();
    for (const i of filtered) {
      const r = rows[i];
      for (const key of getter(r)) {
        const entry = counts.get(key) || { key: key, accept: 0, reject: 0, other: 0 };
        if (r[R.decision] === 0) entry.accept++; else if (r[R.decision] === 1) entry.reject++; else entry.other++;
        counts.set(key, entry);
      }
    }
    return Array.from(counts.values()).sort((a, b) => (b.accept + b.reject + b.other) - (a.accept + a.reject + a.other));
  }

  // A horizontal bar chart; each bar stacks accepted / rejected / unjudged and filters on click.
  function barChart(container, entries, labels, facet, stacked) {
    container.textContent = "";
    if (!entries.length) { container.appendChild(el("div", "empty", "nothing in the current filter")); return; }
    const shown = entries.slice(0, CHART_MAX_BARS);
    const rest = entries.length - shown.length;
    const width = 420, labelW = 130, numW = 44, barH = 16, gap = 6;
    const height = shown.length * (barH + gap) + gap;
    const max = Math.max(...shown.map((e) => e.accept + e.reject + e.other), 1);
    const scale = (width - labelW - numW - 8) / max;
    const chart = svg("svg", { viewBox: "0 0 " + width + " " + height, role: "img" });
    shown.forEach((e, n) => {
      const y = gap + n * (barH + gap);
      const g = svg("g", { class: "bar", "data-facet": facet, "data-key": String(e.key) });
      const label = String(labels[e.key]);
      const title = svg("title", {});
      title.textContent = label + ": " + (stacked ? e.accept + " accepted, " + e.reject + " rejected" + (e.other ? ", " + e.other + " unjudged" : "") : (e.accept + e.reject + e.other) + " traces");
      g.appendChild(title);
      const text = svg("text", { x: labelW - 6, y: y + barH - 4, "text-anchor": "end" });
      text.textContent = label.length > 20 ? label.slice(0, 19) + "…" : label;
      g.appendChild(text);
      let x = labelW;
      const parts = stacked ? [["accept", e.accept, "var(--accept)"], ["reject", e.reject, "var(--reject)"], ["other", e.other, "var(--muted)"]] : [["all", e.accept + e.reject + e.other, "var(--reject)"]];
      for (const [, n, color] of parts) {
        if (!n) continue;
        const w = Math.max(1, n * scale);
        g.appendChild(svg("rect", { x: x, y: y, width: w, height: barH, rx: 2, fill: color }));
        x += w;
      }
      const num = svg("text", { x: x + 4, y: y + barH - 4 });
      num.textContent = String(e.accept + e.reject + e.other);
      g.appendChild(num);
      g.addEventListener("click", () => setFilter(facet, String(e.key)));
      chart.appendChild(g);
    });
    container.appendChild(chart);
    if (rest > 0) container.appendChild(el("div", "legend", "+ " + rest + " more (use the filters)"));
    if (stacked) {
      const legend = el("div", "legend");
      for (const [name, color] of [["accepted", "var(--accept)"], ["rejected", "var(--reject)"]]) {
        const swatch = el("i"); swatch.style.background = color;
        legend.appendChild(swatch); legend.appendChild(document.createTextNode(name));
      }
      container.appendChild(legend);
    }
  }

  function renderCharts() {
    barChart($("chart-tool"), countBy((r) => [r[R.tool]]), F.tool, "tool", true);
    barChart($("chart-category"), countBy((r) => [r[R.category]]), F.category, "category", true);
    const rejected = countBy((r) => (r[R.decision] === 1 ? r[R.reasons] : []));
    barChart($("chart-reasons"), rejected, F.reason, "reason", false);
  }

  // ------------------------------------------------------------ statistics (whole run)
  //
  // DATA.stats is compute_stats(run) from simulator/stats.py (`toolsim stats --json`). It does not
  // depend on the filters, so the panel is drawn once, when it is first opened.

  function fmtInt(n) { return Number(n || 0).toLocaleString("en"); }
  function fmtShare(x) { return (100 * x).toFixed(1).replace(/\.0$/, "") + "%"; }
  function fmtUsd(x) { return x === null || x === undefined ? "unknown" : "$" + (x >= 1 ? x.toFixed(2) : x.toFixed(4)); }

  function figure(id, caption, note) {
    const fig = el("figure", "chart");
    const cap = el("figcaption", null, caption);
    if (note) { cap.appendChild(document.createTextNode(" ")); cap.appendChild(el("span", "muted", note)); }
    fig.appendChild(cap);
    const body = el("div");
    body.id = id;
    fig.appendChild(body);
    return { fig: fig, body: body };
  }

  // Horizontal bars of [label, value] pairs, not clickable. `total` adds a share; `max` fixes the scale.
  function staticBars(container, pairs, opts) {
    opts = opts || {};
    if (!pairs.length) { container.appendChild(el("div", "empty", opts.empty || "nothing to count")); return; }
    const limit = opts.limit || 20;
    const shown = pairs.slice(0, limit);
    const fmt = opts.fmt || fmtInt;
    const width = 420, labelW = 130, numW = 92, barH = 14, gap = 5;
    const height = shown.length * (barH + gap) + gap;
    const max = opts.max || Math.max(...shown.map((p) => p[1]), 1);
    const scale = (width - labelW - numW - 8) / max;
    const chart = svg("svg", { viewBox: "0 0 " + width + " " + height, role: "img" });
    shown.forEach(([label, value], n) => {
      const y = gap + n * (barH + gap);
      const share = opts.total ? " · " + fmtShare(value / opts.total) : "";
      const g = svg("g", { class: "sbar", "data-key": String(label), "data-value": String(value) });
      const title = svg("title", {});
      title.textContent = label + ": " + fmt(value) + share;
      g.appendChild(title);
      const text = svg("text", { x: labelW - 6, y: y + barH - 3, "text-anchor": "end" });
      text.textContent = String(label).length > 20 ? String(label).slice(0, 19) + "…" : String(label);
      g.appendChild(text);
      const w = value > 0 ? Math.max(1, value * scale) : 0;
      g.appendChild(svg("rect", { x: labelW, y: y, width: w, height: barH, rx: 2, fill: opts.color || "var(--user)" }));
      const num = svg("text", { x: labelW + w + 4, y: y + barH - 3 });
      num.textContent = fmt(value) + share;
      g.appendChild(num);
      chart.appendChild(g);
    });
    container.appendChild(chart);
    if (pairs.length > shown.length) {
      const rest = pairs.slice(limit).reduce((sum, p) => sum + p[1], 0);
      container.appendChild(el("div", "legend", "+ " + (pairs.length - shown.length) + " more (" + fmt(rest) + ")"));
    }
  }

  // Vertical columns for {"1": n, "2": n, ...}; missing counts in between are drawn as empty columns.
  function histogram(container, hist) {
    const keys = Object.keys(hist).map(Number).sort((a, b) => a - b);
    if (!keys.length) { container.appendChild(el("div", "empty", "no dataset traces")); return; }
    let bins = keys;
    if (keys[keys.length - 1] - keys[0] <= 40) { bins = []; for (let k = keys[0]; k <= keys[keys.length - 1]; k++) bins.push(k); }
    const width = 420, height = 130, top = 16, bottom = 18, left = 8;
    const slot = (width - 2 * left) / bins.length;
    const colW = Math.max(2, Math.min(56, slot - 4));
    const max = Math.max(...bins.map((k) => hist[String(k)] || 0), 1);
    const plotH = height - top - bottom;
    const chart = svg("svg", { viewBox: "0 0 " + width + " " + height, role: "img" });
    chart.appendChild(svg("line", { x1: left, x2: width - left, y1: height - bottom + 0.5, y2: height - bottom + 0.5, stroke: "var(--line)" }));
    const labelEvery = Math.ceil(bins.length / 20);
    bins.forEach((k, n) => {
      const v = hist[String(k)] || 0;
      const h = v ? Math.max(1, (v / max) * plotH) : 0;
      const x = left + n * slot + (slot - colW) / 2;
      const g = svg("g", { class: "sbar", "data-key": String(k), "data-value": String(v) });
      const title = svg("title", {});
      title.textContent = k + " user turn" + (k === 1 ? "" : "s") + ": " + fmtInt(v) + " traces";
      g.appendChild(title);
      g.appendChild(svg("rect", { x: x, y: height - bottom - h, width: colW, height: h, rx: 2, fill: "var(--tool)" }));
      if (v && colW >= 14) {
        const num = svg("text", { x: x + colW / 2, y: height - bottom - h - 3, "text-anchor": "middle" });
        num.textContent = fmtInt(v);
        g.appendChild(num);
      }
      if (n % labelEvery === 0) {
        const label = svg("text", { x: x + colW / 2, y: height - 4, "text-anchor": "middle", class: "axis" });
        label.textContent = String(k);
        g.appendChild(label);
      }
      chart.appendChild(g);
    });
    container.appendChild(chart);
  }

  function statTile(id, value, label, cls) {
    const tile = el("div", "stat " + (cls || ""));
    tile.id = "stats-fig-" + id;
    tile.appendChild(el("b", null, value));
    tile.appendChild(el("span", null, label));
    return tile;
  }

  function table(id, cls, head) {
    const t = el("table", cls);
    t.id = id;
    const tr = el("tr");
    for (const [text, num] of head) tr.appendChild(el("th", num ? "num" : null, text));
    t.appendChild(el("thead")).appendChild(tr);
    t.appendChild(el("tbody"));
    return t;
  }

  function cell(tr, text, cls) { const td = el("td", cls || null, text); tr.appendChild(td); return td; }

  function coverageTable(coverage) {
    const t = table("stats-coverage", "stats-table coverage",
      [["tool", false], ["calls", true], ["parameter", false], ["", false], ["share of calls", true], ["", false]]);
    const body = t.tBodies[0];
    for (const tool of Object.keys(coverage)) {
      const info = coverage[tool];
      const params = info.required.map((p) => [p, null, "required"])
        .concat(Object.keys(info.optional).map((p) => [p, info.optional[p], "optional"]));
      if (!params.length) params.push(["(no parameters)", null, "none"]);
      params.forEach(([param, share, kind], n) => {
        const tr = el("tr", kind === "optional" ? "opt" + (info.calls && share === 0 ? " never" : "") : kind === "required" ? "req" : "none");
        tr.dataset.tool = tool;
        tr.dataset.param = param;
        tr.dataset.kind = kind;
        if (n === 0) {
          const name = cell(tr, tool, "fn");
          const calls = cell(tr, fmtInt(info.calls), "num");
          name.rowSpan = calls.rowSpan = params.length;
          tr.classList.add("first");
        }
        cell(tr, param, kind === "none" ? "muted" : "param");
        cell(tr, kind === "none" ? "" : kind, "kind");
        if (kind === "optional" && info.calls) {
          cell(tr, share === 0 ? "never" : fmtShare(share), "num share");
          const barCell = cell(tr, null, "meter");
          const meter = el("span", "meter-bar");
          meter.style.width = (100 * share).toFixed(1) + "%";
          barCell.appendChild(meter);
          barCell.title = fmtShare(share) + " of " + fmtInt(info.calls) + " calls pass " + param;
        } else {
          const td = cell(tr, "—", "num muted");
          td.title = kind === "required" ? "required by the schema: a call without it fails the judge's schema check" : "no calls to measure";
          cell(tr, null, "meter");
        }
        body.appendChild(tr);
      });
    }
    return t;
  }

  function usageTable(stats) {
    const t = table("stats-usage", "stats-table usage",
      [["role", false], ["calls", true], ["cached", true], ["input tokens", true], ["output tokens", true], ["cost", true]]);
    const body = t.tBodies[0];
    for (const role of Object.keys(stats.usage)) {
      const u = stats.usage[role];
      const tr = el("tr");
      tr.dataset.role = role;
      cell(tr, role, "fn");
      for (const k of ["calls", "cached_calls", "input_tokens", "output_tokens"]) cell(tr, fmtInt(u[k]), "num");
      cell(tr, fmtUsd(u.cost_usd), "num");
      body.appendChild(tr);
    }
    const foot = el("tfoot");
    const tr = el("tr");
    cell(tr, "total", "fn");
    const note = cell(tr, stats.cost_per_accepted_example === null || stats.cost_per_accepted_example === undefined ? "" :
      fmtUsd(stats.cost_per_accepted_example) + " per accepted example", "num muted");
    note.colSpan = 4;
    cell(tr, stats.cost_usd === null || stats.cost_usd === undefined ? "unknown (no price known)" : fmtUsd(stats.cost_usd), "num");
    foot.appendChild(tr);
    t.appendChild(foot);
    return t;
  }

  function renderStats() {
    const box = $("stats-body");
    box.textContent = "";
    const s = DATA.stats;
    if (!s) { box.appendChild(el("div", "empty", "no statistics in this report (built by an older toolsim)")); return; }
    const ds = s.dataset || {};
    const turns = s.turns_per_trace, div = s.diversity, dups = s.duplicates_removed;
    const usedModels = Object.values(s.usage || {}).some((u) => u.input_tokens || u.output_tokens || u.cost_usd);

    const tiles = el("div", "summary stats-figures");
    tiles.appendChild(statTile("dataset", fmtInt(s.dataset_size), "dataset examples"));
    tiles.appendChild(statTile("episodes", fmtInt(s.episodes), "episodes · " + fmtInt(s.accepted) + " accepted"));
    tiles.appendChild(statTile("duplicates", fmtInt(dups.exact) + " / " + fmtInt(dups.near), "duplicates removed (exact / near)"));
    tiles.appendChild(statTile("turns", String(turns.mean), "user turns per trace (median " + turns.median + ", max " + turns.max + ")"));
    tiles.appendChild(statTile("distinct-2", div.distinct_2.toFixed(3), "distinct-2 of user turns"));
    tiles.appendChild(statTile("first-messages", fmtShare(div.unique_first_user_messages), "unique first user messages"));
    if (usedModels) {
      const per = s.cost_per_accepted_example;
      tiles.appendChild(statTile("cost", s.cost_usd === null ? "unknown" : fmtUsd(s.cost_usd),
        "cost" + (per === null || per === undefined ? "" : " · " + fmtUsd(per) + " per accepted")));
    }
    box.appendChild(tiles);

    const short = Object.keys(s.short_of_target || {});
    if (short.length) box.appendChild(el("div", "stats-warn", "Short of target: " + short.map((k) => k + " " + s.short_of_target[k]).join(", ")));

    const grid = el("div", "charts stats-charts");
    const total = s.dataset_size;
    const noData = "no dataset yet (nothing was selected into splits)";
    for (const [dim, caption] of [["split", "Dataset per split"], ["language", "Dataset per language"], ["persona", "Dataset per persona"],
      ["tool", "Dataset per tool"], ["category", "Dataset per category"]]) {
      const f = figure("stats-" + dim, caption);
      const counts = ds[dim] || {};
      const pairs = Object.keys(counts).map((k) => [k, counts[k]]);
      if (dim === "persona" || dim === "tool" || dim === "category") pairs.sort((a, b) => b[1] - a[1]);
      staticBars(f.body, pairs, { total: total, empty: noData });
      if (dim === "tool" && s.balance && s.balance.within) {
        const outside = Object.keys(s.balance.within).filter((k) => !s.balance.within[k]);
        const tol = s.balance.tolerance !== undefined ? "±" + Math.round(100 * s.balance.tolerance) + "% of the mean" : "the tolerance";
        f.body.appendChild(el("div", "legend", outside.length ? "outside " + tol + ": " + outside.join(", ") : "every tool within " + tol));
      }
      grid.appendChild(f.fig);
    }
    const th = figure("stats-turns", "User turns per trace", "(dataset; mean " + turns.mean + ", median " + turns.median + ")");
    histogram(th.body, turns.histogram || {});
    grid.appendChild(th.fig);
    const dv = figure("stats-diversity", "Diversity of user turns", "(distinct-2: distinct bigrams / all bigrams)");
    const byLang = div.distinct_2_by_language || {};
    staticBars(dv.body, [["all languages", div.distinct_2]].concat(Object.keys(byLang).map((k) => [k, byLang[k]])),
      { max: 1, fmt: (x) => Number(x).toFixed(3), color: "var(--accept)" });
    const kv = el("dl", "kv");
    for (const [k, v] of [["unique first user messages", fmtShare(div.unique_first_user_messages)],
      ["conversations whose opening is used only once", fmtShare(div.first_user_messages_seen_once)]]) {
      kv.appendChild(el("dt", null, k)); kv.appendChild(el("dd", null, v));
    }
    dv.body.appendChild(kv);
    grid.appendChild(dv.fig);
    const term = figure("stats-terminations", "Episodes per termination", "(all episodes)");
    const terms = s.terminations || {};
    staticBars(term.body, Object.keys(terms).map((k) => [k, terms[k]]).sort((a, b) => b[1] - a[1]), { total: s.episodes, color: "var(--muted)" });
    grid.appendChild(term.fig);
    box.appendChild(grid);

    const wide = el("div", "stats-tables");
    const cov = figure("stats-coverage-box", "Argument coverage", "(per tool: share of its calls in the dataset passing each parameter; optional ones highlighted)");
    if (Object.keys(s.argument_coverage || {}).length) cov.body.appendChild(coverageTable(s.argument_coverage));
    else cov.body.appendChild(el("div", "empty", "no tool calls in the dataset"));
    wide.appendChild(cov.fig);
    const use = figure("stats-usage-box", "Model usage and cost per role");
    if (usedModels) use.body.appendChild(usageTable(s));
    else use.body.appendChild(el("div", "empty", "No model was used (offline agents): no tokens, no cost."));
    wide.appendChild(use.fig);
    box.appendChild(wide);
  }

  // ------------------------------------------------------------ detail

  function prettyJson(text) {
    try { return { text: JSON.stringify(JSON.parse(text), null, 2), ok: true }; }
    catch (err) { return { text: String(text), ok: false }; }
  }

  function bubble(cls, role, body) {
    const box = el("div", "msg " + cls);
    box.appendChild(el("span", "role", role));
    if (body) box.appendChild(body);
    return box;
  }

  function jsonBlock(text) {
    const frag = document.createDocumentFragment();
    const pretty = prettyJson(text);
    if (!pretty.ok) frag.appendChild(el("div", "invalid-json", "not valid JSON"));
    frag.appendChild(el("pre", null, pretty.text));
    return frag;
  }

  function renderMessage(m) {
    const out = [];
    if (m[0] === "s") {
      const box = el("details", "msg msg-system");
      box.appendChild(el("summary", null, "System prompt"));
      box.appendChild(el("div", "text", DATA.systems[m[1]]));
      out.push(box);
    } else if (m[0] === "u") {
      out.push(bubble("msg-user", "user", el("div", "text", m[1])));
    } else if (m[0] === "a") {
      const calls = m[2] || [];
      if (m[1] || !calls.length) {
        const box = bubble("msg-assistant" + (m[1] ? "" : " msg-empty"), "assistant", el("div", "text", m[1] || "(empty message)"));
        out.push(box);
      }
      for (const c of calls) {
        const body = document.createDocumentFragment();
        const head = el("div");
        head.appendChild(el("span", "fn", c[1]));
        head.appendChild(el("span", "muted", "  " + c[0]));
        body.appendChild(head);
        body.appendChild(jsonBlock(c[2]));
        const box = bubble("msg-tool-call", "tool call", body);
        box.dataset.tool = c[1];
        out.push(box);
      }
    } else if (m[0] === "t") {
      const body = document.createDocumentFragment();
      const head = el("div");
      head.appendChild(el("span", "fn", m[2]));
      head.appendChild(el("span", "muted", "  " + m[1]));
      body.appendChild(head);
      body.appendChild(jsonBlock(m[3]));
      const box = bubble("msg-tool-result" + (m[4] ? " msg-error" : ""), m[4] ? "tool error" : "tool result", body);
      box.dataset.tool = m[2];
      out.push(box);
    }
    return out;
  }

  function renderVerdict(v, row) {
    const box = el("section", "verdict");
    const head = el("h3");
    head.appendChild(document.createTextNode("Verdict "));
    head.appendChild(decisionBadge(row[R.decision], row[R.overridden]));
    box.appendChild(head);
    if (!v) { box.appendChild(el("div", "muted", "not judged")); return box; }
    if (row[R.reasons].length) {
      const failed = el("div", "failed");
      failed.appendChild(el("span", "muted", "failed: "));
      for (const reason of row[R.reasons]) failed.appendChild(el("span", "chip", F.reason[reason]));
      box.appendChild(failed);
    }
    if (row[R.overridden]) box.appendChild(el("div", "muted", "the judge said " + v.d + "; a human overrode it"));
    const checks = el("ul", "checks");
    const passed = [];
    for (const c of v.c) {
      if (typeof c === "number") { passed.push(F.check[c]); continue; }
      const li = el("li", "fail");
      li.appendChild(document.createTextNode("✗ " + F.check[c[0]]));
      if (c[1]) li.appendChild(el("span", "why", " — " + c[1]));
      checks.appendChild(li);
    }
    if (passed.length) {
      const li = el("li", "pass-list");
      li.appendChild(el("span", "pass", "✓ "));
      li.appendChild(document.createTextNode(passed.join(", ")));
      checks.appendChild(li);
    }
    box.appendChild(checks);
    if (v.m) {
      const model = el("div", "model");
      model.appendChild(el("b", null, "Judge model"));
      model.appendChild(document.createTextNode(" " + (v.m.n || "") + " · " + v.m.s + (v.m.p === true ? " · passed" : v.m.p === false ? " · failed" : "") + (v.m.a != null ? " · agreement " + v.m.a : "")));
      if (v.m.sc) {
        const scores = el("div", "scores");
        for (const k of Object.keys(v.m.sc)) scores.appendChild(el("span", "score", k + " " + v.m.sc[k]));
        model.appendChild(scores);
      }
      if (v.m.r) model.appendChild(el("div", "rationale", v.m.r));
      if (v.m.x) model.appendChild(el("div", "rationale", "reason: " + v.m.x));
      box.appendChild(model);
    } else {
      box.appendChild(el("div", "muted", "judge model: not run"));
    }
    if (v.o && v.o.length) {
      box.appendChild(el("b", null, "Overrides"));
      const list = el("ol", "overrides");
      for (const o of v.o) list.appendChild(el("li", null, o[1] + " · " + o[0] + " → " + o[2] + ": " + o[3]));
      box.appendChild(list);
    }
    return box;
  }

  function renderDetail(i) {
    const pane = $("trace-detail");
    pane.textContent = "";
    if (i < 0) return;
    const r = rows[i], d = DATA.details[i];
    pane.dataset.traceId = r[R.id];
    const head = el("div", "detail-head");
    head.appendChild(el("h2", null, r[R.id]));
    const kv = el("dl", "kv");
    const facts = [["scenario", F.scenario[r[R.scenario]]], ["persona", F.persona[r[R.persona]]], ["tool", F.tool[r[R.tool]]],
      ["category", F.category[r[R.category]]], ["language", F.language[r[R.language]]], ["termination", F.termination[r[R.termination]]]];
    if (d.s) facts.push(["split at curation", d.s]);
    if (d.f) facts.push(["user facts", Object.keys(d.f).map((k) => k + "=" + (typeof d.f[k] === "string" ? d.f[k] : JSON.stringify(d.f[k]))).join(", ")]);
    for (const [k, v] of facts) { kv.appendChild(el("dt", null, k)); kv.appendChild(el("dd", null, v)); }
    if (d.e) { kv.appendChild(el("dt", null, "error")); kv.appendChild(el("dd", "error-text", d.e)); }
    head.appendChild(kv);
    pane.appendChild(head);
    pane.appendChild(renderVerdict(d.v, r));
    const convo = el("div", "conversation");
    for (const m of d.m) for (const node of renderMessage(m)) convo.appendChild(node);
    pane.appendChild(convo);
    pane.scrollTop = 0;
  }

  function select(i) {
    state.selected = i;
    for (const node of document.querySelectorAll(".trace-row.selected")) node.classList.remove("selected");
    const node = document.querySelector('.trace-row[data-index="' + i + '"]');
    if (node) { node.classList.add("selected"); node.scrollIntoView({ block: "nearest" }); }
    renderDetail(i);
    if (i >= 0 && history.replaceState) history.replaceState(null, "", "#trace=" + encodeURIComponent(rows[i][R.id]));
  }

  // ------------------------------------------------------------ wiring

  function setFilter(facet, value) {
    state[facet] = state[facet] === value ? "" : value;
    applyFilters(false);
  }

  function moveSelection(step) {
    if (!filtered.length) return;
    let pos = filtered.indexOf(state.selected);
    pos = pos < 0 ? (step > 0 ? state.page * PAGE_SIZE : state.page * PAGE_SIZE) : Math.min(filtered.length - 1, Math.max(0, pos + step));
    const page = Math.floor(pos / PAGE_SIZE);
    if (page !== state.page) { state.page = page; renderList(); }
    select(filtered[pos]);
  }

  function renderSummary() {
    let accepted = 0, rejected = 0, overridden = 0;
    for (const r of rows) { if (r[R.decision] === 0) accepted++; else if (r[R.decision] === 1) rejected++; if (r[R.overridden]) overridden++; }
    const stats = [["traces", rows.length, ""], ["accepted", accepted, "accept"], ["rejected", rejected, "reject"], ["overridden", overridden, ""],
      ["accept rate", rows.length ? Math.round((100 * accepted) / rows.length) + "%" : "—", ""]];
    const box = $("summary");
    for (const [label, value, cls] of stats) {
      const stat = el("div", "stat " + cls);
      stat.id = "stat-" + label.replace(/\s+/g, "-");
      stat.appendChild(el("b", null, typeof value === "number" ? value.toLocaleString("en") : value));
      stat.appendChild(el("span", null, label));
      box.appendChild(stat);
    }
    $("run-name").textContent = DATA.meta.name || "";
    $("run-meta").textContent = [DATA.meta.run, DATA.meta.status, "generated " + DATA.meta.generated_at].filter(Boolean).join(" · ");
    document.title = "toolsim report — " + (DATA.meta.name || "run");
    $("total-count").textContent = rows.length.toLocaleString("en");
  }

  function init() {
    renderSummary();
    for (const facet of FACETS) {
      $("filter-" + facet).addEventListener("change", (ev) => { state[facet] = ev.target.value; applyFilters(false); });
    }
    let timer = null;
    $("filter-search").addEventListener("input", (ev) => {
      clearTimeout(timer);
      timer = setTimeout(() => { state.q = ev.target.value.trim(); applyFilters(false); }, 150);
    });
    $("filter-reset").addEventListener("click", () => {
      for (const facet of FACETS) state[facet] = "";
      state.q = ""; $("filter-search").value = "";
      applyFilters(false);
    });
    $("page-prev").addEventListener("click", () => { if (state.page > 0) { state.page--; renderList(); } });
    $("page-next").addEventListener("click", () => { if ((state.page + 1) * PAGE_SIZE < filtered.length) { state.page++; renderList(); } });
    $("trace-list").addEventListener("click", (ev) => {
      const row = ev.target.closest(".trace-row");
      if (row) select(Number(row.dataset.index));
    });
    document.addEventListener("keydown", (ev) => {
      if (ev.target.closest && ev.target.closest("input, select, textarea")) return;
      if (ev.key === "ArrowDown" || ev.key === "j") { moveSelection(1); ev.preventDefault(); }
      else if (ev.key === "ArrowUp" || ev.key === "k") { moveSelection(-1); ev.preventDefault(); }
      else if (ev.key === "ArrowRight") $("page-next").click();
      else if (ev.key === "ArrowLeft") $("page-prev").click();
    });
    const panel = $("stats-panel");
    let statsDrawn = false;
    const drawStats = () => { if (panel.open && !statsDrawn) { statsDrawn = true; renderStats(); } };
    panel.addEventListener("toggle", drawStats);
    if (location.hash === "#stats") panel.open = true;
    drawStats();
    applyFilters(false);
    const openWanted = () => {
      const wanted = decodeURIComponent((location.hash.match(/^#trace=(.*)$/) || [])[1] || "");
      if (!wanted) return;
      const i = rows.findIndex((r) => r[R.id] === wanted);
      if (i >= 0) {
        const pos = filtered.indexOf(i);
        if (pos >= 0) { state.page = Math.floor(pos / PAGE_SIZE); renderList(); }
        select(i);
      }
    };
    if (location.hash === "#eval") $("eval-panel").open = true;
    openWanted();
    window.addEventListener("hashchange", openWanted);  // the Evaluation panel's failed items link here
    document.body.dataset.ready = "true";
  }

  init();
})();
