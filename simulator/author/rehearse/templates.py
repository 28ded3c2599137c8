"""Which reply, answer, error and question templates can never be said.

The offline assistant renders one variant of a template set (`domain.replies.<tool>`, a turn's
`answer`, `domain.error_reply`, `domain.ask.<slot>`) and, when a variant names something the
context lacks, quietly tries another — and when none renders, falls back to a generic sentence
("Here's what I found: …"). That keeps a run going but hides a typo for ever. `TemplateWatch`
sees every context the assistant rendered in and tries *every* variant of the set, in every
language, against it; `never_rendered` lists the variants that failed every time.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Iterator, Mapping

from simulator.spec import LANGUAGES, LocalizedText
from simulator.spec.blueprint import MissingValue, render_text


@dataclass
class VariantLog:
    tried: int = 0
    rendered: int = 0
    missing: str | None = None  # the first placeholder that could not be filled
    context_keys: set[str] = field(default_factory=set)  # what the contexts it was tried in had


@dataclass
class TemplateWatch:
    """Called by the offline assistant (`OfflineAssistant.watch`) before each rendering."""

    logs: dict[int, tuple[LocalizedText, dict[tuple[str, int], VariantLog]]] = field(default_factory=dict)

    def __call__(self, templates: LocalizedText, context: Mapping[str, Any], results: Mapping[str, Any] | None) -> None:
        _, variants = self.logs.setdefault(id(templates), (templates, {}))
        for language in LANGUAGES:
            for index, template in enumerate(templates.for_language(language)):
                log = variants.setdefault((language, index), VariantLog())
                log.tried += 1
                log.context_keys.update(k for k in context if not k.startswith("_"))
                try:
                    render_text(template, context, results)
                except MissingValue as exc:
                    log.missing = log.missing or str(exc.args[0])
                    continue
                log.rendered += 1

    def never_rendered(self) -> Iterator[tuple[LocalizedText, str, int, str, set[str]]]:
        """(template set, language, index, missing placeholder, names the contexts had) for each
        variant that was tried and never rendered."""
        for templates, variants in self.logs.values():
            for (language, index), log in sorted(variants.items()):
                if log.tried and not log.rendered and log.missing:
                    yield templates, language, index, log.missing, log.context_keys
