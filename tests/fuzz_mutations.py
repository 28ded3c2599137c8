"""The mutations of the fuzzer (`tests/fuzz_kit.py`): each breaks one file of a pack copy and says
how, seeded by the `random.Random` it is given."""

from __future__ import annotations

import os
import random
from pathlib import Path
from typing import Any, Callable

import yaml

MODULES = {"customer_support.yaml": "customer_support.py", "office.yaml": "office.py", "wuxia.yaml": "wuxia.py",
           "travel.yaml": "travel.py"}
TOOLS_YAML = {"smart_home.yaml": "smart_home.tools.yaml", "generalist.yaml": "generalist.tools.yaml"}
DATA_FILES = {"travel.yaml": "travel_data.yaml", "wuxia.yaml": "wuxia_kb.yaml"}
ODD_VALUES: list[Any] = [None, True, 0, -1, 10**30, 3.5, float("nan"), "", "x" * 5000, [], {}, [[[]]], {"a": {"b": 1}},
                         "2026-13-45", "../../etc/passwd", "{unfilled}", "\U0001F600" * 3, "a\tb\nc"]


# ---------------------------------------------------------------- mutations of YAML values


def _walk(value: Any, path: tuple = ()) -> list[tuple]:
    """Every location in a parsed YAML value."""
    found = [path]
    if isinstance(value, dict):
        for k, v in value.items():
            found += _walk(v, path + (k,))
    elif isinstance(value, list):
        for i, v in enumerate(value):
            found += _walk(v, path + (i,))
    return found


def _parent(root: Any, path: tuple) -> tuple[Any, Any]:
    node = root
    for part in path[:-1]:
        node = node[part]
    return node, path[-1]


def _load(path: Path) -> Any:
    return yaml.load(path.read_text(encoding="utf-8"), Loader=yaml.CSafeLoader)


def _dumps(value: Any) -> str:
    return yaml.dump(value, Dumper=yaml.CSafeDumper, allow_unicode=True, sort_keys=False)


def _dump(path: Path, value: Any) -> None:
    path.write_text(_dumps(value), encoding="utf-8")


def delete_key(rng: random.Random, path: Path) -> str:
    value = _load(path)
    keys = [p for p in _walk(value) if p and isinstance(_parent(value, p)[0], dict)]
    where = rng.choice(keys)
    node, key = _parent(value, where)
    del node[key]
    _dump(path, value)
    return f"deleted {where}"


def wrong_type(rng: random.Random, path: Path) -> str:
    value = _load(path)
    where = rng.choice([p for p in _walk(value) if p])
    node, key = _parent(value, where)
    odd = rng.choice(ODD_VALUES)
    node[key] = odd
    path.write_text(_dumps(value), encoding="utf-8")
    return f"{where} = {str(odd)[:30]!r}"


def bad_encoding(rng: random.Random, path: Path) -> str:
    data = path.read_bytes()
    at = rng.randrange(len(data))
    how = rng.choice(["byte", "utf16", "latin1", "nul", "surrogate", "truncate", "bom", "control"])
    if how == "byte":
        data = data[:at] + bytes([rng.choice([0x80, 0xC3, 0xE9, 0xFF, 0xED])]) + data[at:]
    elif how == "utf16":
        data = data.decode("utf-8").encode("utf-16")
    elif how == "latin1":
        data = data.decode("utf-8").encode("latin-1", errors="replace") + b"caf\xe9\n"
    elif how == "nul":
        data = data[:at] + b"\0" + data[at:]
    elif how == "surrogate":
        data = data.replace(b"\nname: ", b'\ndescription: "x \\ud800 y"\nname: ', 1) if b"\nname: " in data \
            else data + b'\nzz: "\\udfff"\n'
    elif how == "truncate":
        data = data[:at]
    elif how == "bom":
        data = b"\xef\xbb\xbf" + data
    else:
        data = data[:at] + bytes([rng.choice([1, 7, 8, 27, 127])]) + data[at:]
    path.write_bytes(data)
    return how


def _bomb(levels: int) -> str:
    text = "{b0: &a0 [lol,lol,lol,lol,lol,lol,lol,lol,lol]"
    for i in range(1, levels + 1):
        text += f", b{i}: &a{i} [" + ",".join([f"*a{i - 1}"] * 9) + "]"
    return text + "}"


def bomb(rng: random.Random, path: Path) -> str:
    levels = rng.randint(5, 9)
    text = path.read_text(encoding="utf-8")
    if "args: {" in text and rng.random() < 0.6:
        text = text.replace("args: {", f"args: {{bomb: {_bomb(levels)}, ", 1)
        where = "expect.args"
    else:
        text += f"\nbomb: {_bomb(levels)}\n"
        where = "top level"
    path.write_text(text, encoding="utf-8")
    return f"{levels} levels in {where}"


def deep(rng: random.Random, path: Path) -> str:
    depth = rng.choice([70, 200, 1000, 5000])
    style = rng.choice(["flow", "block"])
    nested = "[" * depth + "]" * depth if style == "flow" else \
        "\n" + "".join(f"{'  ' * (i + 1)}k{i}:\n" for i in range(min(depth, 300))) + "  " * 301 + "v"
    path.write_text(path.read_text(encoding="utf-8") + f"\ndeep: {nested}\n", encoding="utf-8")
    return f"{depth} {style}"


def text_noise(rng: random.Random, path: Path) -> str:
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    i = rng.randrange(len(lines))
    how = rng.choice(["drop", "duplicate", "indent", "dedent", "tab", "colon", "swap"])
    if how == "drop":
        del lines[i]
    elif how == "duplicate":
        lines.insert(i, lines[i])
    elif how == "indent":
        lines[i] = "   " + lines[i]
    elif how == "dedent":
        lines[i] = lines[i].lstrip()
    elif how == "tab":
        lines[i] = "\t" + lines[i]
    elif how == "colon":
        lines[i] = lines[i].replace(":", "", 1)
    else:
        j = rng.randrange(len(lines))
        lines[i], lines[j] = lines[j], lines[i]
    path.write_text("".join(lines), encoding="utf-8")
    return f"{how} line {i + 1}"


# ---------------------------------------------------------------- files the scenario names


def special_file(rng: random.Random, scenario: Path) -> str:
    pack = scenario.parents[1]
    how = rng.choice(["/dev/zero", "/dev/null", "/dev/urandom", "fifo", "folder", "/proc/self/status", "missing"])
    target = how
    if how == "fifo":
        os.mkfifo(pack / "scenarios" / "pipe.md")
        target = "pipe.md"
    elif how == "folder":
        target = "."
    elif how == "missing":
        target = "nowhere.md"
    return _point(rng, scenario, target, how)


def outside(rng: random.Random, scenario: Path) -> str:
    pack = scenario.parents[1]
    how = rng.choice(["dotdot", "absolute", "symlink"])
    target = {"dotdot": "../../../../../../../../etc/hostname", "absolute": "/etc/hostname"}.get(how)
    if how == "symlink":
        (pack / "scenarios" / "link.md").symlink_to("/etc/hostname")
        target = "link.md"
    return _point(rng, scenario, target, how)


def _point(rng: random.Random, scenario: Path, target: str, how: str) -> str:
    """Make one of the scenario file's references name `target`."""
    value = _load(scenario)
    field_name = rng.choice(["system_prompt_file", "tools", "personas", "variants"])
    if field_name == "personas":
        value["personas"] = [target]
    elif field_name == "variants":
        value["variants"] = [target]
    elif field_name == "tools":
        value["domain"]["tools"] = target
    else:
        value["domain"]["system_prompt_file"] = target
    _dump(scenario, value)
    return f"{field_name} -> {how}"


# ---------------------------------------------------------------- tool modules and tools.yaml

CUSTOM = "class Meltdown(BaseException):\n    pass\n\n\n"
MODULE_BREAKS: dict[str, Callable[[str], str]] = {
    "syntax error": lambda s: s.replace("def ", "def def ", 1),
    "raises at import": lambda s: s + "\nraise RuntimeError('import failed')\n",
    "custom BaseException at import": lambda s: s + "\n" + CUSTOM + "raise Meltdown('import')\n",
    "sys.exit at import": lambda s: s + "\nimport sys\nsys.exit(3)\n",
    "no ToolSimModule": lambda s: "x = 1\n",
    "two ToolSimModules": lambda s: s + "\nother = ToolSimModule('other')\n",
    "seeder raises": lambda s: s.replace("@sims.state\ndef ", "@sims.state\ndef _broken(rng, today):\n"
                                                            "    raise ValueError('seed')\n\n\ndef ", 1),
    "seeder returns junk": lambda s: s + "\n@sims.state\ndef _junk(rng, today):\n    return 42\n",
    "custom BaseException in every sim": lambda s: s + "\n" + CUSTOM + "for _t in sims.tools.values():\n"
                                                   "    def _boom(*a, **k):\n        raise Meltdown('call')\n"
                                                   "    _t.fn = _boom\n",
    "surrogate in a description": lambda s: s + "\nfor _t in sims.tools.values():\n"
                                            "    _t.spec.description = 'bad \\ud800 text'\n",
    "recursive schema": lambda s: s + "\nfor _t in sims.tools.values():\n"
                                  "    _t.spec.parameters['properties']['loop'] = _t.spec.parameters\n",
    "huge minItems": lambda s: s + "\nfor _t in sims.tools.values():\n"
                               "    _t.spec.returns = {'type': 'array', 'minItems': 10**9}\n",
    "unwritable result": lambda s: s + "\nfor _t in sims.tools.values():\n"
                                   "    _t.fn = lambda ctx, **k: {'text': 'x\\udfff'}\n",
    "judge check raises": lambda s: s + "\n" + CUSTOM + "@sims.check()\ndef _explodes(ctx):\n"
                                        "    raise Meltdown('check')\n",
    "broken __str__": lambda s: s + "\nclass _Bad(Exception):\n    def __str__(self):\n        raise TypeError('no')\n"
                                "raise _Bad()\n",
}


def tool_module(rng: random.Random, scenario: Path) -> str:
    module = scenario.parents[1] / "tool_sims" / MODULES[scenario.name]
    kind = rng.choice(sorted(MODULE_BREAKS))
    module.write_text(MODULE_BREAKS[kind](module.read_text(encoding="utf-8")), encoding="utf-8")
    return kind


SCHEMA_BREAKS: list[tuple[str, Any]] = [
    ("minItems", 10**7), ("minLength", 10**8), ("minProperties", 10**6), ("maxItems", -1), ("type", "strnig"),
    ("pattern", "^(a{100000})$"), ("pattern", "([unclosed"), ("enum", []), ("required", ["nope"]),
    ("properties", {"x": {"type": "object", "properties": {"y": {"$ref": "#/nowhere"}}}}),
    ("anyOf", [False]), ("multipleOf", 0), ("minimum", float("inf")),
]


def tools_yaml(rng: random.Random, scenario: Path) -> str:
    path = scenario.parent / TOOLS_YAML[scenario.name]
    value = _load(path)
    tool = rng.choice(value["tools"])
    part = rng.choice(["parameters", "returns"])
    schema = tool.get(part) or {}
    key, odd = rng.choice(SCHEMA_BREAKS)
    targets = [schema] + [s for s in (schema.get("properties") or {}).values() if isinstance(s, dict)]
    rng.choice(targets)[key] = odd
    tool[part] = schema
    _dump(path, value)
    return f"{tool['name']}.{part}.{key} = {str(odd)[:30]}"


YAML_MUTATIONS = {"delete key": delete_key, "wrong type": wrong_type, "bad encoding": bad_encoding,
                  "bomb": bomb, "deep nesting": deep, "text noise": text_noise}
