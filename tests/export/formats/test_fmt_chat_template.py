import json
from datetime import datetime
from pathlib import Path

import fmt_cases as cases
import pytest

from simulator.export.formats import ChatTemplateConverter, get_converter

QWEN_LIKE = Path(__file__).parents[2] / "fixtures" / "chat_templates" / "qwen25_like.jinja"
PLAIN = "{{ bos_token }}{% for m in messages %}[{{ m.role }}]{{ m.content }}{% endfor %}{{ eos_token }}"


def tokenizer_config(tmp_path, chat_template, **tokens):
    path = tmp_path / "tokenizer_config.json"
    path.write_text(json.dumps({"chat_template": chat_template, **tokens}), encoding="utf-8")
    return path


def test_chat_template_format_needs_a_template():
    with pytest.raises(ValueError, match="needs --template"):
        get_converter("chat-template")


def test_renders_a_jinja_file_with_arguments_as_dicts():
    row = get_converter("chat-template", template=QWEN_LIKE).convert(cases.single_call())
    assert set(row) == {"text"}
    text = row["text"]
    assert text.startswith("<|im_start|>system\n" + cases.SYSTEM + "\n\n# Tools\n")
    assert '"arguments": {"order_id": "ORD-48291", "reason": "defective"}' in text  # a dict, not a double-encoded string
    result = '{"refund_id": "RF-1031", "status": "pending"}'
    assert f"<|im_start|>user\n<tool_response>\n{result}\n</tool_response><|im_end|>\n" in text
    assert text.endswith("<|im_start|>assistant\nYour refund RF-1031 for ORD-48291 is on its way.<|im_end|>\n")
    assert "<|im_start|>assistant\n<|im_end|>" not in text  # no generation prompt


def test_tojson_keeps_non_ascii_and_html_characters():
    record = cases.single_call()
    record["messages"][2]["tool_calls"][0]["function"]["arguments"] = json.dumps({"order_id": "<ORD> & 'Zürich'"})
    text = get_converter("chat-template", template=QWEN_LIKE).convert(record)["text"]
    assert "\"order_id\": \"<ORD> & 'Zürich'\"" in text


def test_tokenizer_config_with_named_templates_picks_tool_use_when_tools_exist(tmp_path):
    named = [{"name": "default", "template": PLAIN}, {"name": "tool_use", "template": QWEN_LIKE.read_text()}]
    path = tokenizer_config(tmp_path, named, bos_token={"content": "<s>", "lstrip": False}, eos_token="</s>")
    converter = get_converter("chat-template", template=path)
    assert converter.convert(cases.single_call())["text"].startswith("<|im_start|>system\n")
    plain = converter.convert(cases.no_tools_at_all())["text"]
    assert plain == f"<s>[system]{cases.SYSTEM}[user]Hi![assistant]Hello — how can I help?</s>"


def test_template_name_forces_one_template(tmp_path):
    named = [{"name": "default", "template": PLAIN}, {"name": "tool_use", "template": QWEN_LIKE.read_text()}]
    converter = get_converter("chat-template", template=tokenizer_config(tmp_path, named), template_name="default")
    assert converter.convert(cases.single_call())["text"].startswith("[system]")
    with pytest.raises(ValueError, match="no chat template named"):
        get_converter("chat-template", template=tokenizer_config(tmp_path, named), template_name="rag")


def test_tokenizer_config_with_a_string_template(tmp_path):
    converter = get_converter("chat-template", template=tokenizer_config(tmp_path, PLAIN, bos_token="<s>", eos_token="</s>"))
    assert converter.convert(cases.no_tools_at_all())["text"].startswith("<s>[system]")


def test_config_without_chat_template_is_refused(tmp_path):
    with pytest.raises(ValueError, match="chat_template"):
        get_converter("chat-template", template=tokenizer_config(tmp_path, None))


def test_trim_and_lstrip_blocks_like_hugging_face():
    source = "{% for m in messages %}\n    {% if m.role == 'user' %}\n{{ m.content }}\n    {% endif %}\n{% endfor %}"
    text = ChatTemplateConverter.from_string(source).convert(cases.no_tool())["text"]
    assert text == "What are your opening hours?\n"


def test_strftime_now_and_generation_blocks():
    source = "{{ strftime_now('%Y') }}|{% for m in messages %}{% generation %}{{ m.role }};{% endgeneration %}{% endfor %}"
    text = ChatTemplateConverter.from_string(source).convert(cases.no_tool())["text"]
    assert text == f"{datetime.now().year}|system;user;assistant;"


def test_raise_exception_skips_and_counts_with_the_message():
    source = (
        "{% for m in messages %}{% if m.tool_calls and m.tool_calls | length > 1 %}"
        "{{ raise_exception('This model only supports single tool-calls at once!') }}"
        "{% endif %}{% endfor %}ok"
    )
    converter = ChatTemplateConverter.from_string(source)
    assert converter.convert(cases.parallel_calls()) is None
    assert converter.convert(cases.single_call()) == {"text": "ok"}
    assert converter.skipped == {"template_error: This model only supports single tool-calls at once!": 1}


def test_template_runs_sandboxed():
    converter = ChatTemplateConverter.from_string("{{ messages.append(1) }}")
    assert converter.convert(cases.no_tool()) is None
    assert list(converter.skipped)[0].startswith("template_error: ")


def test_malformed_arguments_skip_and_count():
    converter = get_converter("chat-template", template=QWEN_LIKE)
    assert converter.convert(cases.malformed_arguments()) is None
    assert converter.skipped == {"arguments_not_json_object": 1}


def test_round_trip_through_datasets(tmp_path):
    converter = get_converter("chat-template", template=QWEN_LIKE)
    rows = [row for row in map(converter.convert, cases.all_records()) if row is not None]
    assert converter.converted == len(cases.all_records()) - 1
    cases.assert_round_trips(rows, tmp_path)


def test_a_broken_template_fails_when_loaded_not_per_record():
    import jinja2

    with pytest.raises(jinja2.TemplateSyntaxError):
        ChatTemplateConverter.from_string("{% for m in messages %}{{ m.content }}")
