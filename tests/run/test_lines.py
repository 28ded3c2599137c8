"""`verdict_line` builds a verdict's JSONL line from cached pieces: it must be, byte for byte,
the line pydantic writes (`jsonl_line`), whatever the verdict holds."""

import pytest

from simulator.core.records import ModelJudgement, Override, RuleCheck, Verdict
from simulator.core.rundir import jsonl_line
from simulator.run.lines import verdict_line

PASSED = [RuleCheck(name=name, passed=True) for name in ("tool_exists", "arguments_json", "final_answer")]
ODD_TEXTS = ["plain", 'a "quoted" id', "back\\slash", "line\nbreak\ttab", "ctrl\x01\x1f\x7f", "中文 id", "emoji 🙂",
             "</script>", "\u2028sep", ""]


def verdicts():
    yield Verdict(trace_id="r0-00001-refund-en_calm", checks=PASSED, decision="accept")
    yield Verdict(trace_id="r0-00001-refund-en_calm", checks=PASSED, decision="accept")  # the cached list again
    for text in ODD_TEXTS:
        failed = RuleCheck(name="reply_grounded", passed=False, reason=f"the reply says {text!r}: {text}")
        yield Verdict(trace_id=text, checks=[*PASSED, failed], decision="reject", reasons=["reply_grounded", text])
    yield Verdict(trace_id="x", checks=[], decision="reject", reasons=[])
    yield Verdict(trace_id="x", checks=PASSED, decision="accept",
                  overrides=[Override(who="me", when="2026-01-01T00:00:00Z", decision="reject", reason="no")])
    yield Verdict(trace_id="x", checks=PASSED, decision="accept",
                  model=ModelJudgement(status="scored", model="m", scores={"helpful": 0.1 + 0.2}, passed=True))


@pytest.mark.parametrize("verdict", list(verdicts()), ids=lambda v: repr(v.trace_id)[:20])
def test_the_line_is_what_pydantic_writes(verdict):
    assert verdict_line(verdict) == jsonl_line(verdict)


def test_a_repeated_check_list_is_encoded_once_and_stays_right():
    first = Verdict(trace_id="a", checks=PASSED, decision="accept")
    assert verdict_line(first) == jsonl_line(first)
    changed = Verdict(trace_id="a", checks=[*PASSED[:2], RuleCheck(name="final_answer", passed=False, reason="none")],
                      decision="reject", reasons=["final_answer"])
    assert verdict_line(changed) == jsonl_line(changed)  # other check objects: another cache entry
    assert verdict_line(first) == jsonl_line(first)


@pytest.mark.parametrize("text", ODD_TEXTS, ids=lambda t: repr(t)[:20])
def test_a_trace_line_in_bytes_is_the_line_pydantic_writes_encoded(text):
    """`Played` carries a trace's line as `jsonl_bytes` gives it; the file must hold what
    `jsonl_line` (decoded text) encodes to, whatever the trace says."""
    from simulator.core.messages import AssistantMessage, SystemMessage, UserMessage
    from simulator.core.records import Episode, Trace
    from simulator.core.rundir import jsonl_bytes

    episode = Episode(id="e", scenario_id="s", persona_id="p", seed=1, category="c", tool=None, language="zh")
    trace = Trace(id=text or "e", episode=episode, termination="user_stop", facts={"odd": text, "n": 0.1 + 0.2},
                  messages=[SystemMessage(content=text), UserMessage(content=f"你好 {text}"),
                            AssistantMessage(content=text)])
    assert jsonl_bytes(trace) == jsonl_line(trace).encode("utf-8")


def test_lines_in_bytes_and_in_text_append_alike(tmp_path):
    from simulator.core.rundir import JsonlAppender

    lines = ['{"a":"中文"}', '{"b":1}', '{"c":"\\u2028"}']
    for name, batch in (("text", lines), ("bytes", [line.encode() for line in lines]),
                        ("mixed", [lines[0].encode(), lines[1], lines[2].encode()])):
        appender = JsonlAppender(tmp_path / f"{name}.jsonl")
        appender.write_lines(batch)
        appender.write_line(batch[0])
        appender.close()
        assert (tmp_path / f"{name}.jsonl").read_text("utf-8") == "\n".join(lines + lines[:1]) + "\n"
