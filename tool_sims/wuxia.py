"""The wuxia domain: a Jin Yong knowledge base (characters, martial arts, dynasties) in Chinese.

Three read-only lookups, `search_character`, `search_martial_art` and `search_dynasty`, over the
data in `wuxia_kb.yaml`. Matching is fuzzy but honest, as a good reference desk is:
- the canonical name or a known alias (别号: 老顽童, 东邪, 北乔峰) finds the entry; an alias hit
  says which alias matched (`matched_alias`), so the model learns the canonical name;
- anything else is a `ToolError` "not found", with close names as suggestions (令孤冲 -> 令狐冲)
  and never a guess; a name that belongs to another table says which tool to use (降龙十八掌 is a
  martial art, not a person); "宋朝" names two dynasties (北宋, 南宋) and the error says so.

State: the knowledge base itself, one list per table (`characters`, `martial_arts`, `dynasties`),
in the shape the tools return, so scenarios can pick records (`record: {collection: characters}`)
and read fields such as `name`, `dynasty` or `creator`. Nothing ever changes it.
"""

from __future__ import annotations

import copy
import difflib
import marshal
import random
from datetime import date
from functools import lru_cache
from pathlib import Path
from typing import Any

from simulator import SimContext, State, ToolError, ToolSimModule, read_yaml_data

sims = ToolSimModule("wuxia")

KB_FILE = Path(__file__).with_name("wuxia_kb.yaml")
# One spoken name for several entries: the lookup says so instead of picking one.
AMBIGUOUS = {"宋朝": ("北宋", "南宋"), "宋": ("北宋", "南宋"), "大宋": ("北宋", "南宋"), "两宋": ("北宋", "南宋")}
SUGGEST_RATIO = 0.5  # difflib ratio for "did you mean": 令孤冲 ~ 令狐冲 is 0.67, 郭敬 ~ 郭靖 0.5
MAX_SUGGESTIONS = 3
# table -> (what it holds, in words; the tool that searches it)
TABLES = {
    "characters": ("人物", "search_character"),
    "martial_arts": ("武功", "search_martial_art"),
    "dynasties": ("朝代", "search_dynasty"),
}
_STRIP = str.maketrans("", "", " \u3000《》“”\"'「」")


# ---------------------------------------------------------------- the knowledge base


@lru_cache(maxsize=1)
def knowledge_base() -> dict[str, list[dict[str, Any]]]:
    """The tables in result shape (read once per process; callers copy before changing)."""
    raw = read_yaml_data(KB_FILE)
    arts = {a["name"]: a for a in raw["martial_arts"]}

    def art(entry: Any) -> dict[str, str]:
        if isinstance(entry, dict):
            return {"name": entry["name"], "type": entry["type"]}
        return {"name": entry, "type": arts[entry]["type"]}

    characters = [{
        "name": c["name"], "aliases": list(c["aliases"]), "sect": c["sect"], "identity": c["identity"],
        "lineage": lineage(c["masters"]),
        "masters": [{"name": n, "note": note} for n, note in c["masters"].items()],
        "martial_arts": [art(a) for a in c["martial_arts"]],
        "novels": [{"title": book(t), "role": role} for t, role in c["novels"].items()],
        "dynasty": c["dynasty"], "bio": c["bio"],
    } for c in raw["characters"]]
    martial_arts = [{
        **{k: a[k] for k in ("name", "aliases", "type", "sect", "creator", "origin", "power")},
        "users": [{"name": u} for u in a["users"]], "novels": [{"title": book(t)} for t in a["novels"]],
    } for a in raw["martial_arts"]]
    dynasties = [{
        **{k: d[k] for k in ("name", "aliases", "period", "founder", "capital")},
        "emperors": [{"name": n, "note": note} for n, note in d["emperors"].items()],
        "novels": [{"title": book(t), "note": note} for t, note in d["novels"].items()],
        "notes": d["notes"],
    } for d in raw["dynasties"]]
    return {"characters": characters, "martial_arts": martial_arts, "dynasties": dynasties}


def book(title: str) -> str:
    """A novel's title as Chinese prose writes it: 《射雕英雄传》."""
    return f"《{title}》"


def lineage(masters: dict[str, str]) -> str:
    """师承 in one phrase, also when nobody taught them (the reply must say so, not skip it)."""
    if not masters:
        return "资料中没有记载其师承"
    return "师承：" + "；".join(f"{name}（{note}）" for name, note in masters.items())


@sims.state
def seed_state(rng: random.Random, today: date) -> State:
    """Each episode's own copy of the knowledge base. A `marshal` round trip copies it in C, about
    three times as fast as `copy.deepcopy` (a thousand-odd dicts and lists every episode, most of
    what setting one up cost); the base is plain strings, lists and dicts, so the copy is the
    same data. Anything marshal cannot copy goes by `deepcopy`."""
    base = knowledge_base()
    try:
        return marshal.loads(marshal.dumps(base))
    except ValueError:
        return copy.deepcopy(base)


def clean(query: str) -> str:
    """What was asked for, without spaces, book-title marks or quotes (《射雕英雄传》, “东邪”)."""
    return query.translate(_STRIP)


def _keys(records: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    """Every name and alias of a table -> its record."""
    keys = {alias: r for r in records for alias in r["aliases"]}
    keys.update((r["name"], r) for r in records)
    return keys


def _suggestions(query: str, records: list[dict[str, Any]]) -> list[str]:
    scored: dict[str, float] = {}
    for key, record in _keys(records).items():
        ratio = difflib.SequenceMatcher(None, query, key).ratio()
        if ratio >= SUGGEST_RATIO:
            scored[record["name"]] = max(ratio, scored.get(record["name"], 0.0))
    return sorted(scored, key=lambda name: (-scored[name], name))[:MAX_SUGGESTIONS]


def lookup(ctx: SimContext, table: str, query: str) -> dict[str, Any]:
    """The record `query` names in `table` (as a fresh dict), or the honest ToolError."""
    wanted = clean(query)
    kind, _ = TABLES[table]
    if not wanted:
        raise ToolError(f"请提供要查询的{kind}名称")
    record = _keys(ctx.state[table]).get(wanted)
    if record is not None:
        result = copy.deepcopy(record)
        if wanted != record["name"]:
            result["matched_alias"] = wanted
        return result
    if table == "dynasties" and wanted in AMBIGUOUS:
        raise ToolError(f"“{wanted}”对应多个朝代：{'、'.join(AMBIGUOUS[wanted])}，请指明要查哪一个")
    for other, (other_kind, tool) in TABLES.items():
        hit = _keys(ctx.state[other]).get(wanted) if other != table else None
        if hit is not None:
            raise ToolError(f"“{wanted}”是{other_kind}，不是{kind}；请用 {tool} 查询{hit['name']}")
    close = _suggestions(wanted, ctx.state[table])
    if close:
        raise ToolError(f"知识库中没有{kind}“{wanted}”，您是不是要找：{'、'.join(close)}")
    raise ToolError(f"知识库中没有{kind}“{wanted}”（只收录金庸小说中的{kind}）")


# ---------------------------------------------------------------- schemas

TEXT = {"type": "string", "minLength": 1}
NAMES = {"type": "array", "items": TEXT}
MAYBE_TEXT = {"type": ["string", "null"]}


def _objects(*fields: str) -> dict[str, Any]:
    return {
        "type": "array",
        "items": {"type": "object", "properties": {f: TEXT for f in fields}, "required": list(fields),
                  "additionalProperties": False},
    }


def _returns(properties: dict[str, Any]) -> dict[str, Any]:
    return {
        "type": "object",
        "properties": {**properties, "matched_alias": {**TEXT, "description": "the alias the query matched"}},
        "required": list(properties),
        "additionalProperties": False,
    }


def _parameters(what: str, example: str) -> dict[str, Any]:
    return {
        "type": "object",
        "properties": {
            "name": {"type": "string", "minLength": 1, "maxLength": 30, "description": f"{what}的名称，如“{example}”。"},
        },
        "required": ["name"],
        "additionalProperties": False,
    }


# ---------------------------------------------------------------- tools


@sims.tool(
    description=(
        "查询金庸小说中的人物：身份、门派、师父、会的武功、出处小说与所处朝代。按正名或知名别号查询"
        "（如“老顽童”即周伯通）；查不到时会给出相近的名字。问武功本身的来历、威力，请用 search_martial_art。"
    ),
    parameters=_parameters("人物", "郭靖"),
    returns=_returns({
        "name": TEXT, "aliases": NAMES, "sect": MAYBE_TEXT, "identity": TEXT, "lineage": TEXT,
        "masters": _objects("name", "note"), "martial_arts": _objects("name", "type"),
        "novels": _objects("title", "role"), "dynasty": MAYBE_TEXT, "bio": TEXT,
    }),
    read_only=True,
)
def search_character(ctx: SimContext, name: str) -> dict[str, Any]:
    return lookup(ctx, "characters", name)


@sims.tool(
    description=(
        "查询金庸小说中的一门武功：类型、所属门派、创始人、来历、威力、练过的人物与出处小说。按正名或别称查询"
        "（如“左右互搏”即双手互搏）。问某个人物会什么武功，请用 search_character。"
    ),
    parameters=_parameters("武功", "降龙十八掌"),
    returns=_returns({
        "name": TEXT, "aliases": NAMES, "type": TEXT, "sect": MAYBE_TEXT, "creator": MAYBE_TEXT,
        "origin": TEXT, "power": TEXT, "users": _objects("name"), "novels": _objects("title"),
    }),
    read_only=True,
)
def search_martial_art(ctx: SimContext, name: str) -> dict[str, Any]:
    return lookup(ctx, "martial_arts", name)


@sims.tool(
    description=(
        "查询金庸小说涉及的朝代：起止年代、开国君主、都城、与故事相关的皇帝和小说。按正名或常见称呼查询"
        "（如“蒙元”即元朝）；“宋朝”须指明北宋或南宋。"
    ),
    parameters=_parameters("朝代", "南宋"),
    returns=_returns({
        "name": TEXT, "aliases": NAMES, "period": TEXT, "founder": TEXT, "capital": TEXT,
        "emperors": _objects("name", "note"), "novels": _objects("title", "note"), "notes": TEXT,
    }),
    read_only=True,
)
def search_dynasty(ctx: SimContext, name: str) -> dict[str, Any]:
    return lookup(ctx, "dynasties", name)
