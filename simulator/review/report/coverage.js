/* toolsim report: the Coverage panel.
 *
 * Draws simulator.coverage.compute_coverage(run) (`toolsim stats --coverage --json`), embedded in
 * the #coverage-data script element: the scenario × persona and tool × behaviour grids, where a
 * possible cell without traces is marked empty and an impossible one is a dot, the hard cases,
 * and the empty cells named one by one. Like the Statistics panel it covers the whole dataset (the
 * trace filters do not apply) and is drawn when first opened; #coverage in the address opens it.
 * Run data reaches the page through textContent only.
 */
(function () {
  "use strict";

  const COV = JSON.parse(document.getElementById("coverage-data").textContent);
  const OPEN_UP_TO = 60; // empty cells of one kind listed unfolded
  const $ = (id) => document.getElementById(id);
  function el(tag, cls, text) {
    const node = document.createElement(tag);
    if (cls) node.className = cls;
    if (text !== undefined && text !== null) node.textContent = text;
    return node;
  }
  function fmtInt(n) { return Number(n || 0).toLocaleString("en"); }

  function section(id, caption, note) {
    const fig = el("figure", "chart cov-box");
    const cap = el("figcaption", null, caption);
    if (note) { cap.appendChild(document.createTextNode(" ")); cap.appendChild(el("span", "muted", note)); }
    fig.appendChild(cap);
    const body = el("div", "cov-scroll");
    body.id = id;
    fig.appendChild(body);
    return { fig: fig, body: body };
  }

  // One grid cell. `possible`: true, false (impossible) or null (unknown: the scenario file was not read).
  function gridCell(tr, n, possible, max) {
    const td = el("td", "num cov-cell");
    td.dataset.count = String(n);
    if (n) {
      td.textContent = fmtInt(n);
      td.style.setProperty("--heat", (0.1 + 0.45 * n / max).toFixed(3));
      td.classList.add("filled");
    } else if (possible === true) {
      td.textContent = "0";
      td.classList.add("empty-cell");
      td.title = "possible, but no accepted trace";
    } else if (possible === false) {
      td.textContent = "·";
      td.classList.add("impossible");
      td.title = "not possible in this scenario file";
    } else {
      td.textContent = "?";
      td.classList.add("unknown");
      td.title = "unknown: the scenario file could not be read";
    }
    tr.appendChild(td);
    return td;
  }

  function grid(id, rowsByKey, columns, possibleOf, rowAttr, colAttr, totals) {
    const t = el("table", "stats-table cov-grid");
    t.id = id;
    const head = el("tr");
    head.appendChild(el("th", null, rowAttr));
    for (const c of columns) head.appendChild(el("th", "num", c.replace(/_/g, " ")));
    head.appendChild(el("th", "num", "traces"));
    t.appendChild(el("thead")).appendChild(head);
    const body = t.appendChild(el("tbody"));
    let max = 1;
    for (const key of Object.keys(rowsByKey)) for (const c of columns) max = Math.max(max, rowsByKey[key][c] || 0);
    for (const key of Object.keys(rowsByKey)) {
      const tr = el("tr");
      tr.dataset[rowAttr] = key;
      tr.appendChild(el("td", "fn", key));
      for (const c of columns) {
        const td = gridCell(tr, rowsByKey[key][c] || 0, possibleOf(key, c), max);
        td.dataset[colAttr] = c;
      }
      const row = rowsByKey[key];
      tr.appendChild(el("td", "num muted", fmtInt(totals ? totals(key) : Object.keys(row).reduce((s, k) => s + row[k], 0))));
      body.appendChild(tr);
    }
    return t;
  }

  function emptyList(cov) {
    const box = el("div");
    box.id = "coverage-empty";
    const e = cov.empty;
    if (!e) {
      box.appendChild(el("div", "stats-warn", "Possible cells unknown: " + (cov.note || "the scenario file could not be read") +
        ". The grids show what was observed."));
      return box;
    }
    const kinds = [
      ["persona_scenario", "persona × scenario pairs with no trace", (c) => c.scenario + " × " + c.persona],
      ["tools", "tools never called", (c) => c],
      ["tool_behaviour", "tool × behaviour pairs the blueprints imply, with no trace", (c) => c.tool + " × " + c.behaviour],
      ["hard_cases", "hard cases in the scenario file, absent from the data", (c) => "hard:" + c],
    ];
    if (!cov.empty_count) box.appendChild(el("div", "cov-none", "None: every possible cell has at least one accepted trace."));
    for (const [kind, caption, name] of kinds) {
      if (!e[kind].length) continue;
      const group = el("details", "cov-kind");  // long lists start folded
      group.open = e[kind].length <= OPEN_UP_TO;
      group.dataset.kind = kind;
      group.appendChild(el("summary", null, caption + " (" + fmtInt(e[kind].length) + ")"));
      const ul = el("ul", "cov-empty-list");
      ul.dataset.kind = kind;
      for (const c of e[kind]) {
        const li = el("li", null, name(c));
        li.dataset.kind = kind;
        if (typeof c === "string") li.dataset.name = c;
        else for (const k of Object.keys(c)) li.dataset[k] = c[k];
        ul.appendChild(li);
      }
      group.appendChild(ul);
      box.appendChild(group);
    }
    return box;
  }

  function render() {
    const box = $("coverage-body");
    box.textContent = "";
    const cov = COV;
    if (!cov) { box.appendChild(el("div", "empty", "no coverage in this report (built by an older toolsim)")); return; }
    const possible = cov.possible;
    const tiles = el("div", "summary stats-figures");
    for (const [id, value, label] of [
      ["traces", fmtInt(cov.traces), "traces counted (" + cov.source + ")"],
      ["empty", cov.empty_count === null ? "unknown" : fmtInt(cov.empty_count), "empty cells"],
      ["behaviours", fmtInt(Object.keys(cov.behaviour_traces).length), "behaviours seen"],
    ]) {
      const tile = el("div", "stat" + (id === "empty" && cov.empty_count ? " reject" : ""));
      tile.id = "coverage-fig-" + id;
      tile.appendChild(el("b", null, value));
      tile.appendChild(el("span", null, label));
      tiles.appendChild(tile);
    }
    box.appendChild(tiles);
    if (cov.note && possible) box.appendChild(el("div", "stats-warn", cov.note));

    const personas = Array.from(new Set([].concat(...Object.values(cov.scenario_persona).map(Object.keys)))).sort();
    const sp = section("coverage-scenario-persona-box", "Scenario × persona", "(accepted traces; 0 = possible but empty, · = not possible)");
    sp.body.appendChild(grid("coverage-scenario-persona", cov.scenario_persona, personas,
      (s, p) => (possible ? (possible.scenario_personas[s] || []).includes(p) : null), "scenario", "persona"));
    box.appendChild(sp.fig);

    const tb = section("coverage-tool-behaviour-box", "Tool × behaviour",
      "(a trace counts under every tool it called and every behaviour it shows; 0 = implied by a blueprint but empty)");
    tb.body.appendChild(grid("coverage-tool-behaviour", cov.tool_behaviour, cov.behaviours,
      (t, b) => (possible ? (possible.tool_behaviours[t] || []).includes(b) : null), "tool", "behaviour",
      (t) => cov.tools[t] || 0));
    box.appendChild(tb.fig);

    const em = section("coverage-empty-box", "Empty cells", "(possible combinations with no accepted trace, each named once)");
    em.body.appendChild(emptyList(cov));
    box.appendChild(em.fig);
  }

  const panel = $("coverage-panel");
  let drawn = false;
  const draw = () => { if (panel.open && !drawn) { drawn = true; render(); } };
  panel.addEventListener("toggle", draw);
  if (location.hash === "#coverage") panel.open = true;
  draw();
})();
