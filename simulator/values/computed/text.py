"""Translation, summary, spell-check and language detection from a table of real pairs.

Offline there is no model to write a translation, so the text tools answer from
`text_table.yaml` — real translations, corrections and summaries of the texts the shipped packs
use — and a text the table does not hold gets an error saying so (`--tool-model` answers those).
A made-up answer ("Your request has been received") would teach a model to trust boilerplate.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from functools import lru_cache
from pathlib import Path
from typing import Any

from simulator.core.data_files import read_data_yaml
from simulator.values.computed import ComputeContext, ComputeError, computation

TABLE = Path(__file__).with_name("text_table.yaml")
NOT_OFFLINE = "no offline {what} for this text (run with --tool-model to let a model answer it)"


@lru_cache(maxsize=1)
def table() -> dict[str, Any]:
    return read_data_yaml(TABLE)


def _key(text: str) -> str:
    return " ".join(text.strip().strip("“”\"'").split())


def _find(section: str, text: str) -> Any:
    entries = table()[section]
    return entries.get(_key(text))


@computation("translate")
def translate(args: Mapping[str, Any], ctx: ComputeContext) -> dict[str, Any]:
    entry = _find("translations", args["text"])
    target = args["target_language"]
    if entry is None:
        raise ComputeError(NOT_OFFLINE.format(what="translation"))
    if target == entry["source"]:
        translated = _key(args["text"])
    elif target in entry:
        translated = entry[target]
    else:
        raise ComputeError(NOT_OFFLINE.format(what=f"translation into {target}"))
    return {"text": args["text"], "translated_text": translated, "source_language": entry["source"],
            "target_language": target}


@computation("detect_language")
def detect(args: Mapping[str, Any], ctx: ComputeContext) -> dict[str, Any]:
    code = _find("detections", args["text"])
    if code is None:
        entry = _find("translations", args["text"])
        code = entry["source"] if entry else None
    if code is None:
        raise ComputeError(NOT_OFFLINE.format(what="language detection"))
    return {"language": code, "confidence": 0.98 if len(args["text"]) > 15 else 0.93}


@computation("spell_check")
def spell_check(args: Mapping[str, Any], ctx: ComputeContext) -> dict[str, Any]:
    entry = _find("spelling", args["text"])
    if entry is None:
        raise ComputeError(NOT_OFFLINE.format(what="spell-check"))
    return {"text": args["text"], "issues_found": entry["issues"], "corrected_text": entry["corrected"]}


def _words(text: str) -> int:
    return len(re.findall(r"[\w'-]+", text))


@computation("summarize")
def summarize(args: Mapping[str, Any], ctx: ComputeContext) -> dict[str, Any]:
    entry = _find("summaries", args["text"])
    if entry is None:
        raise ComputeError(NOT_OFFLINE.format(what="summary"))
    style = args.get("style", "paragraph")
    if style == "bullet_points":
        points = entry["bullet_points"][: args.get("max_sentences", len(entry["bullet_points"]))]
        summary = "\n".join(f"- {p}" for p in points)
    else:
        summary = entry["paragraph"]
    return {"summary": summary, "style": style, "original_words": _words(args["text"]),
            "summary_words": _words(summary)}


# ---------------------------------------------------------------- recipes

_RECIPE_STYLES = {
    "en": ("Easy {dish}", "Classic {dish}", "Weeknight {dish}", "{dish} in One Pot", "Best-Ever {dish}", "Quick {dish}"),
    "zh": ("家常{dish}", "快手{dish}", "经典{dish}", "简易版{dish}", "一锅出{dish}"),
}
_DIET_WORDS = {"vegetarian": "Vegetarian", "vegan": "Vegan", "gluten-free": "Gluten-Free",
               "dairy-free": "Dairy-Free", "low-carb": "Low-Carb"}


@computation("recipes")
def recipes(args: Mapping[str, Any], ctx: ComputeContext) -> dict[str, Any]:
    """Recipes named after the dish asked for ("Easy Lentil Soup", "Vegan Lentil Soup"), for the
    servings asked and within the time limit; sources, ratings and reviews come from the schema."""
    query = str(args["query"]).strip()
    chinese = any("\u4e00" <= ch <= "\u9fff" for ch in query)
    dish = query if chinese else query.title()
    rng = ctx.rng("recipes", query.lower())
    styles = list(_RECIPE_STYLES["zh" if chinese else "en"])
    rng.shuffle(styles)
    diet = args.get("diet") if args.get("diet") not in (None, "none") else None
    draft = ctx.draft if isinstance(ctx.draft, dict) else {}
    found = []
    limit = int(args["max_minutes"]) if args.get("max_minutes") else None
    for i, entry in enumerate(draft.get("recipes") or [{}]):
        title = styles[i % len(styles)].format(dish=dish)
        if diet and not chinese:
            title = f"{_DIET_WORDS.get(diet, diet)} {dish}" if i == 0 else title
        minutes = int(entry.get("total_minutes", 30))
        if limit is not None and minutes > limit:
            minutes = max(5, limit - limit % 5)
        found.append({"title": title, **{k: v for k, v in entry.items() if k != "title"}, "total_minutes": minutes})
    result: dict[str, Any] = {"query": query, "recipes": found}
    # the servings asked, else what a recipe is usually written for (the schema drew up to 19)
    result["servings"] = int(args["servings"]) if args.get("servings") else rng.choice((2, 4, 4, 6))
    return result


# ---------------------------------------------------------------- news

_HEADLINES = {
    "en": ("{topic}: what we know so far", "New details emerge on {topic}", "What {topic} means for residents",
           "Mixed reactions to {topic}", "Five questions about {topic}", "Officials give an update on {topic}"),
    "zh": ("{topic}最新进展", "关于{topic}，你需要知道的几件事", "{topic}引发热议", "官方回应{topic}相关问题", "{topic}：各方怎么看"),
}


@computation("news")
def news(args: Mapping[str, Any], ctx: ComputeContext) -> dict[str, Any]:
    """Articles about the topic asked (a headline naming it), published in the days before the
    episode's today (never after it, never before `from_date`), newest first when asked."""
    from datetime import date as _date, datetime, time, timedelta, timezone

    query = str(args["query"]).strip()
    chinese = any("\u4e00" <= ch <= "\u9fff" for ch in query)
    topic = query if chinese else query[:1].upper() + query[1:]
    rng = ctx.rng("news", query.lower())
    styles = list(_HEADLINES["zh" if chinese else "en"])
    rng.shuffle(styles)
    earliest = _date.fromisoformat(args["from_date"]) if args.get("from_date") else ctx.today - timedelta(days=6)
    span = max(0, (ctx.today - earliest).days)
    draft = ctx.draft if isinstance(ctx.draft, dict) else {}
    articles = []
    for i, entry in enumerate(draft.get("articles") or [{}]):
        day = ctx.today - timedelta(days=rng.randint(0, span))
        moment = datetime.combine(day, time(rng.randint(6, 21), rng.randrange(0, 60, 5)), tzinfo=timezone.utc)
        style = styles[i % len(styles)]
        headline = style.format(topic=topic if style.startswith("{topic}") else query)  # capital only at the start
        articles.append({"title": headline, **{k: v for k, v in entry.items() if k not in ("title", "published_at")},
                         "published_at": moment.isoformat().replace("+00:00", "Z")})
    if args.get("sort_by") == "newest":
        articles.sort(key=lambda a: a["published_at"], reverse=True)
    return {"query": query, "articles": articles}
