"""`toolsim report RUN`: one self-contained HTML file with compact embedded data."""

import json
import re
from html.parser import HTMLParser

import pytest

from simulator.core.rundir import RunDir
from simulator.review.report.build import (
    STATS_IN_META,
    build_report,
    embed_json,
    report_data,
)
from simulator.review.stats import compute_stats
from tests.review.audit.sample_run import (
    SYSTEM_PROMPT,
    run_cli,
    write_sample_run,
    write_synthetic_run,
)

pytestmark = pytest.mark.slow  # runs a pack end to end

DATA_SCRIPT = re.compile(r'<script type="application/json" id="report-data">(.*?)</script>', re.S)


class _References(HTMLParser):
    """Every src/href and tag name, to prove nothing is loaded from elsewhere."""

    def __init__(self):
        super().__init__()
        self.tags: list[str] = []
        self.urls: list[str] = []

    def handle_starttag(self, tag, attrs):
        self.tags.append(tag)
        self.urls += [v for k, v in attrs if k in ("src", "href", "action", "xlink:href") and v]


def _embedded(html):
    return json.loads(DATA_SCRIPT.search(html).group(1))


@pytest.fixture
def sample(tmp_path):
    return write_sample_run(tmp_path / "run")


def test_report_is_one_self_contained_file(sample):
    built = build_report(sample.run)
    assert built.path == sample.run.path / "report.html" and built.traces == 7
    html = built.path.read_text(encoding="utf-8")
    refs = _References()
    refs.feed(html)
    assert refs.urls == []
    assert "link" not in refs.tags and "iframe" not in refs.tags
    assert not re.search(r"<script[^>]+src=", html)
    assert "@import" not in html and "url(" not in html
    assert not re.search(r"(src|href)\s*=\s*[\"']?\s*(https?:)?//", html, re.I)
    assert "default-src 'none'" in html  # the browser itself refuses any fetch
    assert "/*@@REPORT_JS@@*/" not in html and "@@REPORT_DATA@@" not in html


def test_embedded_data_is_compact_and_complete(sample):
    data = _embedded(build_report(sample.run).path.read_text(encoding="utf-8"))
    assert data["systems"] == [SYSTEM_PROMPT]  # stored once, not per trace
    fields = data["meta"]["row_fields"]
    rows = {r[0]: dict(zip(fields, r)) for r in data["rows"]}
    assert len(rows) == 7
    schema = rows[sample.ids["schema"]]
    assert data["facets"]["tool"][schema["tool"]] == "initiate_refund"
    assert [data["facets"]["reason"][i] for i in schema["reasons"]] == ["arguments_schema", "arguments_grounded"]
    assert schema["decision"] == 1
    overridden = rows[sample.ids["overridden"]]
    assert (overridden["decision"], overridden["overridden"]) == (0, 1)  # human accept wins
    detail = data["details"][list(rows).index(sample.ids["multi_turn"])]
    assert detail["m"][0] == ["s", 0]
    assert ["t", "call_1", "lookup_order", '{"error": "service unavailable"}', 1] in detail["m"]
    failed = [c for c in detail["v"]["c"] if isinstance(c, list)]
    assert [(data["facets"]["check"][c[0]], c[1]) for c in failed] == [("expected_calls", "missing cancel_order(order_id=…)")]
    assert len(detail["v"]["c"]) == 6  # passed checks are kept, as bare name indices
    model = data["details"][list(rows).index(sample.ids["model_failed"])]["v"]["m"]
    assert model["r"] == "The answer 'Done.' gives no refund id." and model["sc"]["helpfulness"] == 2.0
    assert data["details"][list(rows).index(sample.ids["accepted"])]["s"] == "train"


def test_hostile_message_text_cannot_break_out_of_the_data_script(sample):
    path = sample.run.traces_path
    evil = "</script><script>alert(1)</script><!-- <b>"
    path.write_text(path.read_text().replace("where is my last order?", evil.replace('"', '\\"')))
    html = build_report(sample.run).path.read_text(encoding="utf-8")
    assert html.lower().count("</script") == 4  # the data and code blocks' own, of the report and its coverage panel
    messages = [m for d in _embedded(html)["details"] for m in d["m"]]
    assert ["u", evil] in messages


def test_traces_without_verdict_are_listed_as_unjudged(sample):
    lines = sample.run.verdicts_path.read_text().splitlines(keepends=True)
    sample.run.verdicts_path.write_text("".join(lines[1:]))
    data = report_data(sample.run)
    assert data["rows"][0][5] == 2 and data["details"][0]["v"] is None


def test_cli_writes_the_report_and_says_where(sample, tmp_path, capsys):
    out = tmp_path / "elsewhere" / "r.html"
    assert run_cli(["report", str(sample.run.path), "--out", str(out)]) == 0
    assert out.exists() and not (sample.run.path / "report.html").exists()
    assert f"{out}: 7 traces" in capsys.readouterr().out


def test_ten_thousand_traces_build_small_enough(tmp_path):
    run = write_synthetic_run(tmp_path / "big", 10_000)
    built = build_report(run)
    source_bytes = run.traces_path.stat().st_size + run.verdicts_path.stat().st_size
    assert built.traces == 10_000
    html = built.path.read_text(encoding="utf-8")
    assert html.count(SYSTEM_PROMPT) == 1
    assert built.size_bytes < source_bytes / 2  # compact: far smaller than what it shows
    assert len(embed_json(_embedded(html)["stats"])) < 4_000  # grows with tools and personas, not traces


def _expected_stats(run):
    """compute_stats as the page receives it: through JSON, without what `meta` already holds."""
    return json.loads(json.dumps({k: v for k, v in compute_stats(run).items() if k not in STATS_IN_META}))


def test_embedded_stats_are_compute_stats(stats_sample):
    data = _embedded(build_report(stats_sample.run).path.read_text(encoding="utf-8"))
    stats = data["stats"]
    assert stats == _expected_stats(stats_sample.run)
    full = compute_stats(stats_sample.run)
    assert (data["meta"]["name"], data["meta"]["run"], data["meta"]["status"]) == (full["name"], full["run"], full["status"])
    assert not set(STATS_IN_META) & set(stats)
    # what the Statistics panel draws
    assert stats["dataset"]["split"] == {"train": 1, "validation": 1, "test": 1}
    assert stats["dataset"]["language"] == {"en": 3}
    assert stats["duplicates_removed"] == {"exact": 3, "near": 2}
    assert stats["argument_coverage"]["initiate_refund"] == {
        "calls": 1, "required": ["order_id"], "optional": {"reason": 1.0, "amount": 0.0}}
    assert stats["argument_coverage"]["lookup_order"]["calls"] == 0
    assert stats["usage"]["assistant"]["input_tokens"] == 7 * 900
    assert stats["cost_usd"] == pytest.approx(7 * (0.0012 + 0.0045))


def test_embedded_stats_of_a_real_run(real_run):
    run = RunDir(real_run)
    data = _embedded(build_report(run).path.read_text(encoding="utf-8"))
    assert data["stats"] == _expected_stats(run)
    stats = data["stats"]
    selection = json.loads((real_run / "selection.json").read_text())
    assert sum(stats["dataset"]["split"].values()) == stats["dataset_size"] == len(selection)
    assert "priority" in stats["argument_coverage"]["escalate_to_human"]["optional"]
    assert len(embed_json(stats)) < 10_000  # a few KB: tools, parameters, personas — not traces


def test_a_run_without_dataset_still_has_stats(sample):
    stats = report_data(sample.run)["stats"]
    assert stats["dataset_size"] == 3 and stats["dataset"]["split"] == {"train": 3}
    assert stats["episodes"] == 7 and stats["rejected"] == 4
