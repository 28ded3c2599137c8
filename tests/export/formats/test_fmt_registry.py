import fmt_cases as cases
import pytest

from simulator.export.formats import FORMATS, Converter, format_names, get_converter


def test_every_format_is_registered_under_its_own_name():
    assert format_names() == [
        "openai", "bfcl", "chat-template", "dpo", "hermes", "instruction", "llama3", "sharegpt", "trl"]
    assert all(FORMATS.get(name).name == name and issubclass(FORMATS.get(name), Converter) for name in format_names())


def test_openai_is_the_canonical_record_unchanged():
    record = cases.single_call()
    assert get_converter("openai").convert(record) == record


def test_a_format_registered_with_the_decorator_is_listed_and_built(monkeypatch):
    from simulator.export.formats import export_format

    monkeypatch.setattr(FORMATS, "_entries", dict(FORMATS._entries))  # leave the registry as it was

    @export_format("plain-text")
    class PlainText(Converter):
        def _convert(self, record):
            return {"text": " ".join(m.get("content") or "" for m in record["messages"])}

    assert "plain-text" in format_names()
    assert get_converter("plain-text").convert(cases.single_call())["text"].startswith(cases.SYSTEM)


def test_two_modules_cannot_register_one_name():
    class Other(Converter):
        pass

    Other.__module__ = "someone_else"
    with pytest.raises(ValueError, match="registered twice"):
        FORMATS.add("trl", Other, Other.__module__)


def test_unknown_format_is_refused_with_the_known_names():
    with pytest.raises(ValueError, match="sharegpt"):
        get_converter("alpaca")


def test_each_call_gives_a_fresh_converter_with_its_own_counts():
    first, second = get_converter("llama3", parallel_calls="skip"), get_converter("llama3", parallel_calls="skip")
    first.convert(cases.parallel_calls())
    assert first.skipped == {"parallel_tool_calls": 1}
    assert second.skipped == {}


def test_only_dpo_takes_pairs_and_only_bfcl_traces():
    kinds = {name: FORMATS.get(name).input_kind for name in format_names()}
    assert kinds.pop("dpo") == "pair"
    assert kinds.pop("bfcl") == "trace"
    assert set(kinds.values()) == {"record"}


def test_formats_without_extra_files_write_nothing(tmp_path):
    assert get_converter("trl").extra_files(tmp_path, {"train": tmp_path / "train.jsonl"}) == []
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("name", ["sharegpt", "trl", "hermes", "llama3", "instruction"])
def test_records_that_are_not_canonical_skip_instead_of_crashing(name):
    converter = get_converter(name)
    assert converter.convert({"messages": []}) is None
    assert converter.convert({"messages": [{"role": "developer", "content": "x"}]}) is None
    assert converter.skipped == {"no_messages": 1, "unknown_role": 1}
