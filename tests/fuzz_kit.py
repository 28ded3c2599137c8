"""A seeded mutation fuzzer over the shipped packs, for `tests/cli/test_cli_fuzz.py` (a few hundred
cases) and `bench/fuzz.py` (a thousand).

Each case copies the pack folders, breaks one thing — a deleted key, a value of the wrong type, a
bad encoding, an alias bomb, deep nesting, a special or outside file, a broken tool module, a bad
tools.yaml schema, noise in the text — and runs `toolsim run` on it in this process (fast: no
interpreter start per case). What must hold for every case:

- no traceback (nothing escapes `main`, and nothing prints one);
- exit 0 or 2;
- on exit 2 nothing was written (every file under the case's folder as before);
- no hang: a case over `timeout` seconds is interrupted (SIGALRM) and counted.
"""

from __future__ import annotations

import contextlib
import io
import os
import random
import shutil
import signal
import sys
import time
import traceback
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable

import yaml

from tests.guard_kit import snapshot
from tests.pack_copy import pack_copy

PACKS = {  # scenario file -> weight (generalist loads slowest: fewer cases)
    "customer_support.yaml": 3, "office.yaml": 3, "wuxia.yaml": 3, "travel.yaml": 2, "smart_home.yaml": 2,
    "generalist.yaml": 1,
}
MODULES = {"customer_support.yaml": "customer_support.py", "office.yaml": "office.py", "wuxia.yaml": "wuxia.py",
           "travel.yaml": "travel.py"}
TOOLS_YAML = {"smart_home.yaml": "smart_home.tools.yaml", "generalist.yaml": "generalist.tools.yaml"}
DATA_FILES = {"travel.yaml": "travel_data.yaml", "wuxia.yaml": "wuxia_kb.yaml"}
RUN_FLAGS = ("--n", "2", "--max-episodes", "3", "--concurrency", "2", "--quiet")
ODD_VALUES: list[Any] = [None, True, 0, -1, 10**30, 3.5, float("nan"), "", "x" * 5000, [], {}, [[[]]], {"a": {"b": 1}},
                         "2026-13-45", "../../etc/passwd", "{unfilled}", "\U0001F600" * 3, "a\tb\nc"]


@dataclass
class Case:
    index: int
    scenario: str
    kind: str
    detail: str = ""


@dataclass
class Outcome:
    case: Case
    code: int | None
    seconds: float
    err: str = ""
    traceback: str | None = None  # an exception escaped main, or one was printed
    hung: bool = False
    wrote_on_rejection: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return (self.traceback is None and not self.hung and self.code in (0, 2)
                and not self.wrote_on_rejection)


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


# ---------------------------------------------------------------- cases


def _scenario_file(rng: random.Random, scenario: Path) -> Path:
    return scenario


def _persona(rng: random.Random, scenario: Path) -> Path:
    return rng.choice(sorted((scenario.parents[1] / "personas").glob("*.yaml")))


def _data_file(rng: random.Random, scenario: Path) -> Path:
    return scenario.parents[1] / "tool_sims" / DATA_FILES[scenario.name]


YAML_MUTATIONS = {"delete key": delete_key, "wrong type": wrong_type, "bad encoding": bad_encoding,
                  "bomb": bomb, "deep nesting": deep, "text noise": text_noise}


def make_case(index: int, seed: int) -> Case:
    rng = random.Random(f"{seed}:{index}")
    scenario = rng.choices(list(PACKS), weights=list(PACKS.values()))[0]
    kinds = ["scenario:" + k for k in YAML_MUTATIONS] * 3 + ["persona:" + k for k in YAML_MUTATIONS]
    kinds += ["special file", "outside path"] * 2
    if scenario in MODULES:
        kinds += ["tool module"] * 4
    if scenario in TOOLS_YAML:
        kinds += ["tools.yaml"] * 4 + ["tools.yaml:" + k for k in YAML_MUTATIONS]
    if scenario in DATA_FILES:
        kinds += ["data file:" + k for k in ("bad encoding", "text noise", "bomb")]
    return Case(index, scenario, rng.choice(kinds))


def apply(case: Case, pack: Path, seed: int) -> Path:
    """Break the copy at `pack` as `case` says; returns the scenario file to run."""
    rng = random.Random(f"{seed}:{case.index}:apply")
    scenario = pack / "scenarios" / case.scenario
    target, _, mutation = case.kind.partition(":")
    if target == "special file":
        case.detail = special_file(rng, scenario)
    elif target == "outside path":
        case.detail = outside(rng, scenario)
    elif target == "tool module":
        case.detail = tool_module(rng, scenario)
    elif target == "tools.yaml" and not mutation:
        case.detail = tools_yaml(rng, scenario)
    else:
        file = {"scenario": _scenario_file, "persona": _persona, "data file": _data_file,
                "tools.yaml": lambda r, s: s.parent / TOOLS_YAML[s.name]}[target](rng, scenario)
        case.detail = f"{file.name}: {YAML_MUTATIONS[mutation](rng, file)}"
    return scenario


# ---------------------------------------------------------------- running


class _Hang(KeyboardInterrupt):
    """Raised by the alarm. A KeyboardInterrupt, because toolsim handles every other exception a
    sim may raise (a hang inside a sim must not pass as that sim's error)."""


def run_case(case: Case, workdir: Path, seed: int, timeout: float) -> Outcome:
    from simulator.cli.main import main

    case_dir = workdir / f"case{case.index}"
    pack = pack_copy(case_dir)
    scenario = apply(case, pack, seed)
    before = snapshot(case_dir)
    out, err = io.StringIO(), io.StringIO()
    hung, caught, code = False, None, None

    def alarm(*_: Any) -> None:
        raise _Hang()

    previous = signal.signal(signal.SIGALRM, alarm)
    signal.setitimer(signal.ITIMER_REAL, timeout)
    started = time.perf_counter()
    try:
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            code = main(["run", str(scenario), "--out", str(case_dir / "out"), *RUN_FLAGS])
    except _Hang:
        hung = True
    except SystemExit as exc:  # argparse; never expected here
        code = exc.code if isinstance(exc.code, int) else 1
    except BaseException:  # noqa: BLE001 - the very thing the fuzzer looks for
        caught = traceback.format_exc()
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)
    seconds = time.perf_counter() - started
    if code == 130 and seconds >= timeout:
        hung = True  # main turned the alarm's KeyboardInterrupt into "interrupted"
    text = err.getvalue()
    if caught is None and "Traceback (most recent call last)" in text + out.getvalue():
        caught = text
    outcome = Outcome(case, code, seconds, err=text[-2000:], traceback=caught, hung=hung)
    if code == 2:
        after = snapshot(case_dir)
        outcome.wrote_on_rejection = sorted(k for k in set(before) | set(after) if before.get(k) != after.get(k))
    for name in [m for m in sys.modules if m.startswith("_toolsim_sims_")]:
        del sys.modules[name]  # each case imports its own copy of a tool module
    shutil.rmtree(case_dir, ignore_errors=True)
    return outcome


def fuzz(count: int, seed: int, workdir: Path, timeout: float = 10.0,
         progress: Callable[[Outcome], None] | None = None) -> list[Outcome]:
    outcomes = []
    for index in range(count):
        outcome = run_case(make_case(index, seed), workdir, seed, timeout)
        outcomes.append(outcome)
        if progress:
            progress(outcome)
    return outcomes


def describe(outcome: Outcome) -> str:
    c = outcome.case
    what = ("traceback" if outcome.traceback else "hang" if outcome.hung
            else f"wrote on rejection: {outcome.wrote_on_rejection[:5]}" if outcome.wrote_on_rejection
            else f"exit {outcome.code}")
    tail = (outcome.traceback or outcome.err).strip().splitlines()[-3:]
    return f"case {c.index} [{c.scenario} · {c.kind} · {c.detail}]: {what}\n    " + "\n    ".join(tail)
