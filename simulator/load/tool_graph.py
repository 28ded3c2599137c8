"""The tool graph: which tool's output can feed which tool's parameter.

An edge A→B says "a value A returns can be an argument of B": `lookup_order` returns
`orders[].order_id`, `initiate_refund` takes `order_id`, so "find the order, then refund it" is a
plausible two-step task. Chain scenarios (`simulator.load.chains`) are sampled as simple paths of this
graph, parallel-call scenarios as groups of tools with no path between them.

Edges come from three sources, strongest first:
- `declared`: a `domain.links` entry (`lookup_order.orders.0.order_id` → `initiate_refund.order_id`);
- `name+type`: the output field and the parameter have the same or an obviously linked name
  (`order_id`↔`order_id`, `flights[].id`→`flight_id`, `customer.email`→`customer_email`), with
  compatible JSON types and no contradicting `format`/`pattern`;
- `format`: different names, but the same identifier `pattern` or an identifying `format`
  (email, uuid, uri, ...). Dates are deliberately not enough: every timestamp would feed every
  date parameter.

A feed whose parameter names one thing (`order_id`, a `^ORD-` pattern, an e-mail address) carries an
identifier; one carrying a date or a city is an attribute. Both are drawn, but only identifier
feeds make chains and dependence (`identifier_graph`): the user can say a date, not an order id.

Deliberately not edges: a free string into an enum parameter (only an enum whose values the
parameter accepts may feed it), an echo of the tool's own argument (`check_status` returns the
`order_id` it was given — nothing new learnt), and self-loops unless declared (a paginated
`list_items(page_token)` is the meaningful kind, and only its author knows it).
Array elements are addressed with index 0 (`orders.0.order_id`), the `{@tool.path}` template form.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any

import networkx as nx

from simulator.spec import ToolLink, ToolSpec
from simulator.values.schema_fields import (
    IDENTIFYING_FORMATS,
    OutputField,
    identifier_pattern,
    is_identifier,
    output_fields,
    resolve_ref,
    singular,
    types_fit,
    types_of,
    values_fit,
)

REASONS = ("declared", "name+type", "format")
_CAMEL = re.compile(r"(?<=[a-z0-9])(?=[A-Z])")


@dataclass(frozen=True)
class Feed:
    """One output field of `source` that can fill parameter `param` of `target`."""

    source: str
    path: str  # dotted, array items as 0: `orders.0.order_id`
    target: str
    param: str
    reason: str  # one of REASONS
    identifier: bool = True  # the parameter names one thing (`order_id`), not an attribute (a date)

    @property
    def template(self) -> str:
        """The blueprint placeholder reading this field: `{@lookup_order.orders.0.order_id}`."""
        return f"{{@{self.source}.{self.path}}}"


# ---------------------------------------------------------------- names


def normal_name(name: str) -> str:
    """`orderId`, `Order-ID` and `order_id` all read `order_id`."""
    return re.sub(r"[^a-z0-9]+", "_", _CAMEL.sub("_", name).lower()).strip("_")


def names_linked(field: OutputField, param: str) -> bool:
    """Same name, or an obviously linked one: `flights[].id` → `flight_id`, `customer.email` →
    `customer_email`."""
    leaf, wanted = normal_name(field.name), normal_name(param)
    if leaf == wanted:
        return True
    if field.parent is None:
        return False
    owner = singular(normal_name(field.parent))
    return wanted == f"{owner}_{leaf}"


def _same_identifier(out: dict[str, Any], param: dict[str, Any]) -> bool:
    if not (types_of(out) <= {"string"} and types_of(param) <= {"string"}):
        return False
    pattern = param.get("pattern")
    if identifier_pattern(pattern) and pattern == out.get("pattern"):
        return True
    fmt = param.get("format")
    return fmt in IDENTIFYING_FORMATS and fmt == out.get("format")


# ---------------------------------------------------------------- the graph


def infer_feeds(source: ToolSpec, target: ToolSpec) -> list[Feed]:
    """The name+type and format matches from `source`'s results to `target`'s parameters."""
    feeds: list[Feed] = []
    own_params = set(source.parameters.get("properties", {}))
    for field in output_fields(source.returns):
        if field.path.split(".")[0] in own_params:
            continue  # an echo of the call's own argument (`order_id`, `attendees.0`)
        for param, schema in target.parameters.get("properties", {}).items():
            if not isinstance(schema, dict):
                continue
            schema = resolve_ref(schema, target.parameters)
            if not (types_fit(types_of(field.schema), types_of(schema)) and values_fit(field.schema, schema)):
                continue
            identifier = is_identifier(normal_name(param), schema)
            if names_linked(field, param):
                feeds.append(Feed(source.name, field.path, target.name, param, "name+type", identifier))
            elif _same_identifier(field.schema, schema):
                feeds.append(Feed(source.name, field.path, target.name, param, "format", identifier))
    return feeds


def build_graph(tools: dict[str, ToolSpec], links: Iterable[ToolLink] = ()) -> nx.DiGraph:
    """A DiGraph over the tools: node per tool (attribute `spec`), edge A→B when A's output feeds
    B. Each edge carries `feeds` (every mapping, strongest first: declared, then identifiers), from
    the first of them `path`, `param` and `reason`, and `strong` when some feed carries an
    identifier (an order id rather than a date the user could have said)."""
    graph = nx.DiGraph()
    for name, spec in tools.items():
        graph.add_node(name, spec=spec)
    feeds: dict[tuple[str, str], list[Feed]] = {}
    for link in links:
        parsed = parse_link(link, tools)
        if parsed is not None:
            feeds.setdefault((parsed.source, parsed.target), []).append(parsed)
    for a, b in itertools.permutations(tools, 2):
        for feed in infer_feeds(tools[a], tools[b]):
            known = feeds.setdefault((a, b), [])
            if not any(f.path == feed.path and f.param == feed.param for f in known):
                known.append(feed)
    for (a, b), found in feeds.items():
        found.sort(key=lambda f: (REASONS.index(f.reason), not f.identifier, f.path.count("."), f.path, f.param))
        first = found[0]
        graph.add_edge(
            a, b, feeds=tuple(found), path=first.path, param=first.param, reason=first.reason,
            strong=any(f.identifier for f in found),
        )
    return graph


def identifier_graph(graph: nx.DiGraph) -> nx.DiGraph:
    """The graph chains and parallel groups are made from: only the feeds that carry an identifier.
    "Refund that order" needs the order id a lookup found; a date or a city the user can simply say,
    so "the weather on the date you just found" would teach nothing but odd phrasing."""
    strong = nx.DiGraph()
    strong.add_nodes_from(graph.nodes(data=True))
    for a, b, data in graph.edges(data=True):
        feeds = tuple(f for f in data["feeds"] if f.identifier)
        if feeds:
            strong.add_edge(a, b, feeds=feeds, path=feeds[0].path, param=feeds[0].param, reason=feeds[0].reason, strong=True)
    return strong


def split_reference(reference: str, tools: Iterable[str]) -> tuple[str, str] | None:
    """`lookup_order.orders.0.order_id` → (`lookup_order`, `orders.0.order_id`): the longest tool
    name that prefixes it (tool names may contain dots themselves)."""
    for name in sorted(tools, key=len, reverse=True):
        if reference.startswith(name + ".") and len(reference) > len(name) + 1:
            return name, reference[len(name) + 1:]
    return None


def _index_free(path: str) -> str:
    return ".".join("0" if part.isdigit() else part for part in path.split("."))


def link_problems(link: ToolLink, tools: dict[str, ToolSpec]) -> list[tuple[str, str]]:
    """What is wrong with a declared link, as (`from` | `to`, message)."""
    problems: list[tuple[str, str]] = []
    source = split_reference(link.source, tools)
    if source is None:
        known = ", ".join(sorted(tools))
        problems.append(("from", f"{link.source!r} does not start with a known tool name and a field path (tools: {known})"))
    else:
        spec = tools[source[0]]
        paths = {f.path for f in output_fields(spec.returns)}
        if spec.returns is not None and _index_free(source[1]) not in paths:
            known = ", ".join(sorted(paths)) or "none"
            problems.append(("from", f"{source[0]!r} returns no field {source[1]!r} (fields: {known})"))
    target = split_reference(link.to, tools)
    if target is None:
        known = ", ".join(sorted(tools))
        problems.append(("to", f"{link.to!r} does not start with a known tool name and a parameter (tools: {known})"))
    else:
        params = tools[target[0]].parameters.get("properties", {})
        if target[1] not in params:
            known = ", ".join(sorted(params)) or "none"
            problems.append(("to", f"tool {target[0]!r} has no parameter {target[1]!r} (parameters: {known})"))
    return problems


def parse_link(link: ToolLink, tools: dict[str, ToolSpec]) -> Feed | None:
    if link_problems(link, tools):
        return None
    (source, path), (target, param) = split_reference(link.source, tools), split_reference(link.to, tools)
    return Feed(source, _index_free(path), target, param, "declared")


# ---------------------------------------------------------------- chains and independent groups


def simple_chains(graph: nx.DiGraph, min_calls: int, max_calls: int, within: Iterable[str] | None = None) -> list[list[str]]:
    """Every simple path of `min_calls`..`max_calls` tools, sorted (so sampling from it is
    reproducible). `within` restricts the tools a chain may use."""
    sub = graph.subgraph(within) if within is not None else graph
    chains: set[tuple[str, ...]] = set()
    for start in sub.nodes:
        for path in _paths_from(sub, [start], max_calls):
            if len(path) >= min_calls:
                chains.add(tuple(path))
    return [list(c) for c in sorted(chains)]


def _paths_from(graph: nx.DiGraph, path: list[str], max_calls: int) -> Iterator[list[str]]:
    yield path
    if len(path) == max_calls:
        return
    for nxt in sorted(graph.successors(path[-1])):
        if nxt not in path:
            yield from _paths_from(graph, path + [nxt], max_calls)


def independent_sets(graph: nx.DiGraph, sizes: Iterable[int] = (2, 3), within: Iterable[str] | None = None) -> list[list[str]]:
    """Groups of tools no path connects in either direction: none needs another's result, so
    they can be called together, in parallel. Sorted."""
    tools = sorted(within if within is not None else graph.nodes)
    reach = {t: nx.descendants(graph, t) for t in tools}
    groups: list[list[str]] = []
    for size in sizes:
        for group in itertools.combinations(tools, size):
            if all(b not in reach[a] and a not in reach[b] for a, b in itertools.combinations(group, 2)):
                groups.append(list(group))
    return groups


def independent_groups(graph: nx.DiGraph) -> list[list[str]]:
    """The largest groups of mutually independent tools (maximal sets; any 2–3 tools of one
    group make a parallel-call scenario), biggest first."""
    compatible = nx.Graph()
    compatible.add_nodes_from(graph.nodes)
    for group in independent_sets(graph, sizes=(2,)):
        compatible.add_edge(*group)
    cliques = [sorted(c) for c in nx.find_cliques(compatible)]
    return sorted(cliques, key=lambda c: (-len(c), c))
