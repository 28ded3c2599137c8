"""`toolsim new NAME --from-openapi spec.yaml`: an OpenAPI 3 document's operations as tools.

Each operation (filtered by `--include` / `--exclude`) becomes one tool: a valid, unique function
name (`naming.py`), a description from its summary and description, and one object of
`parameters` in which its path, query and header parameters and the members of its JSON request
body sit side by side (a body that is not an object is one `body` argument) — the model sees a
function, not an HTTP request. The tool's `http:` binding remembers where each argument goes, so
`sim: live` can make the real request (`simulator.simulate.live.http`). Its `returns` is the
schema of the first 2xx JSON response (a response that is not an object is wrapped under a key);
GET, HEAD and OPTIONS operations are `read_only`. Schemas are inlined and converted by
`openapi_schema.py`. The document's server and security scheme become the tools file's
`service:` — the key's environment variable, never a key.

Every operation that cannot be imported is left out with a note saying why (a form or file body,
a basic-auth-only API); a `$ref` that does not resolve is an error at its operation's line, and so
is a part of the document that is not the type the importer reads it as (`openapi_shape.yaml`,
checked before importing and on each path item once its `$ref`s are inlined).
"""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import Any

from jsonschema import Draft202012Validator

from simulator.author.importers.imported import Imported
from simulator.author.importers.naming import Filter, Names, argument_name, name_from_path, snake_case
from simulator.author.importers.openapi_schema import Inliner, RefError, to_json_schema
from simulator.core.data_files import read_data_yaml
from simulator.core.errors import InputError, Problem
from simulator.core.yaml_lines import YamlDocument, display_path, format_loc, read_yaml
from simulator.spec.service import ApiKeyAuth, HttpOperation, HttpService, WireParam
from simulator.spec.tools import ToolSpec
from simulator.values.schema_sim import tool_noun

METHODS = ("get", "put", "post", "delete", "patch", "head", "options")
READ_ONLY = ("GET", "HEAD", "OPTIONS")
SKIPPED_HEADERS = {"accept", "content-type", "authorization", "content-length"}
MAX_DESCRIPTION = 1000
SHAPE = Path(__file__).with_name("openapi_shape.yaml")
MAX_SHAPE_PROBLEMS = 10


@cache
def _shape_validators() -> tuple[Draft202012Validator, Draft202012Validator]:
    """(the document's, a path item's) validators of `openapi_shape.yaml`."""
    shape = read_data_yaml(SHAPE)
    item = {"$defs": shape["$defs"], "$ref": "#/$defs/pathItem"}
    return Draft202012Validator(shape), Draft202012Validator(item)


def _shape_problems(doc: YamlDocument, value: Any, at: tuple[Any, ...] = ()) -> list[Problem]:
    """Where the document (or, with `at`, the path item there) is not what the importer reads."""
    validator = _shape_validators()[1 if at else 0]
    errors = sorted(validator.iter_errors(value), key=lambda e: [str(p) for p in e.absolute_path])
    problems = []
    for error in errors[:MAX_SHAPE_PROBLEMS]:
        loc = (*at, *error.absolute_path)
        where = format_loc(loc) or "the document"
        problems.append(Problem(doc.source, doc.line(loc) or 1, f"{where}: {_shape_message(error)}"))
    return problems


def _shape_message(error: Any) -> str:
    """jsonschema's message without the whole offending value (a path item can be pages long)."""
    found = error.instance
    kind = {dict: "a mapping", list: "a list", str: "text", bool: "true/false", type(None): "nothing"}.get(
        type(found), "a number")
    if error.validator == "type":
        wanted = error.validator_value if isinstance(error.validator_value, list) else [error.validator_value]
        names = {"object": "a mapping", "array": "a list", "string": "text", "boolean": "true/false",
                 "number": "a number"}
        return f"expected {' or '.join(names.get(w, w) for w in wanted)}, got {kind}"
    if error.validator == "enum":
        return f"expected one of {', '.join(map(str, error.validator_value))}, got {str(found)[:60]!r}"
    return error.message[:200]


def _json_media(content: Any) -> dict[str, Any] | None:
    if not isinstance(content, dict):
        return None
    for media, body in content.items():
        if isinstance(body, dict) and ("json" in media.lower() or media == "*/*"):
            return body
    return None


def _describe(op: dict[str, Any], method: str, route: str) -> str:
    summary = str(op.get("summary") or "").strip().rstrip(".")
    detail = str(op.get("description") or "").strip()
    parts = [p for p in (summary and summary + ".", detail if detail.rstrip(".") != summary else "") if p]
    return (" ".join(parts) or f"{method.upper()} {route}")[:MAX_DESCRIPTION]


class _Operation:
    """One operation as a tool: collects arguments and where each goes."""

    def __init__(self, name: str, method: str, route: str) -> None:
        self.name, self.method, self.route = name, method.upper(), route
        self.properties: dict[str, Any] = {}
        self.required: list[str] = []
        self.params: dict[str, WireParam] = {}
        self.notes: list[str] = []

    def add(self, wire: str, place: str, schema: Any, *, required: bool, description: str = "") -> None:
        arg = argument_name(wire)
        while arg in self.properties:
            renamed = f"{arg}_{place}"
            self.notes.append(f"{self.name}: the {place} argument {wire!r} is named {renamed} ({arg} is taken)")
            arg = renamed
        schema = dict(schema) if isinstance(schema, dict) else {}
        if description and "description" not in schema:
            schema["description"] = description.strip()
        self.properties[arg] = schema
        if required:
            self.required.append(arg)
        self.params[arg] = WireParam.model_validate({"in": place, **({"name": wire} if wire != arg else {})})

    def parameter(self, param: dict[str, Any]) -> None:
        place, wire = param.get("in"), str(param.get("name", ""))
        if place == "cookie":
            self.notes.append(f"{self.name}: cookie parameter {wire!r} left out (the model cannot set cookies)")
            return
        if place == "header" and wire.lower() in SKIPPED_HEADERS:
            return
        schema = param.get("schema")
        if schema is None:
            schema = (_json_media(param.get("content")) or {}).get("schema", {})
        self.add(wire, str(place), to_json_schema(schema, sending=True),
                 required=bool(param.get("required")) or place == "path",
                 description=str(param.get("description") or ""))

    def body(self, body: dict[str, Any]) -> bool:
        media = _json_media(body.get("content"))
        if media is None:
            kinds = ", ".join(body.get("content", {}) or ["none"])
            self.notes.append(f"{self.name}: left out: its request body is not JSON ({kinds})")
            return False
        schema = to_json_schema(media.get("schema", {}), sending=True)
        required = bool(body.get("required"))
        properties = schema.get("properties") if isinstance(schema, dict) else None
        if isinstance(properties, dict) and schema.get("type", "object") == "object":
            listed = schema.get("required", [])
            needed = {r for r in listed if isinstance(r, str)} if required and isinstance(listed, list) else set()
            for wire, sub in properties.items():
                self.add(wire, "body", sub, required=wire in needed)
        else:
            self.add("body", "body_value", schema, required=required, description=str(body.get("description") or ""))
        return True

    def parameters_schema(self) -> dict[str, Any]:
        schema: dict[str, Any] = {"type": "object", "properties": self.properties}
        if self.required:
            schema["required"] = self.required
        return schema


def _returns(op: dict[str, Any], name: str) -> tuple[dict[str, Any] | None, str | None]:
    responses = op.get("responses") if isinstance(op.get("responses"), dict) else {}
    codes = sorted((str(c) for c in responses if str(c).startswith("2")), key=lambda c: (c.upper() == "2XX", c))
    for code in codes:
        response = responses[code] if isinstance(responses[code], dict) else {}
        media = _json_media(response.get("content"))
        if media is None or not isinstance(media.get("schema"), dict):
            continue
        schema = to_json_schema(media["schema"], sending=False)
        if schema.get("type") == "object" or (schema.get("properties") and "type" not in schema):
            return schema, None
        key = tool_noun(name) if schema.get("type") == "array" else "result"
        return {"type": "object", "properties": {key: schema}, "required": [key]}, key
    if codes:  # only empty successes (204, 202): what the live source answers them with
        ok = {"type": "object", "properties": {"status": {"type": "string", "enum": ["ok"]}}, "required": ["status"]}
        return ok, None
    return None, None


def _auth(document: dict[str, Any], env: str) -> tuple[ApiKeyAuth | None, list[str]]:
    schemes = (document.get("components") or {}).get("securitySchemes") or {}
    wanted = [name for requirement in document.get("security") or [] for name in requirement] or list(schemes)
    for name in wanted:
        scheme = schemes.get(name)
        if not isinstance(scheme, dict):
            continue
        kind = scheme.get("type")
        if kind == "apiKey" and scheme.get("in") in ("header", "query"):
            return ApiKeyAuth.model_validate({"env": env, "in": scheme["in"], "name": scheme.get("name", "X-API-Key"),
                                              "prefix": ""}), []
        bearer = kind == "http" and str(scheme.get("scheme", "")).lower() == "bearer"
        if bearer or kind in ("oauth2", "openIdConnect"):
            note = [] if kind == "http" else [f"security scheme {name!r} ({kind}): give a token in ${env}; it is sent "
                                               "as `Authorization: Bearer`"]
            return ApiKeyAuth(env=env), note
    if wanted:
        return None, [f"security schemes {', '.join(wanted)}: none is an API key or bearer token; live calls go "
                      "without credentials (edit `service.auth` in the tools file)"]
    return None, []


def _base_url(document: dict[str, Any], given: str | None) -> str | None:
    if given:
        return given
    for server in document.get("servers") or []:
        url = str(server.get("url", "")) if isinstance(server, dict) else ""
        for variable, spec in (server.get("variables") or {}).items():
            url = url.replace("{" + variable + "}", str((spec or {}).get("default", "")))
        if url.startswith(("http://", "https://")):
            return url
    return None


def import_openapi(path: Path, *, name: str, patterns: Filter, base_url: str | None = None,
                   api_key_env: str | None = None) -> Imported:
    """The tools of an OpenAPI 3 document (YAML or JSON). Raises `InputError` on a document it
    cannot read, a `$ref` that does not resolve, or filters that leave nothing."""
    doc = read_yaml(path, display_path(path))
    document = doc.value
    if not isinstance(document, dict) or not str(document.get("openapi", "")).startswith("3."):
        found = "Swagger 2.0" if isinstance(document, dict) and "swagger" in document else "not an OpenAPI 3 document"
        raise InputError([Problem(doc.source, 1, f"{found}: toolsim imports OpenAPI 3.0 and 3.1 (convert a "
                                                 "Swagger 2.0 file first, e.g. with swagger2openapi)")])
    problems = list(doc.problems) + _shape_problems(doc, document)
    if problems:
        raise InputError(problems)
    inliner = Inliner(document, path)
    names, notes, tools = Names(), [], []
    for route, item in (document.get("paths") or {}).items():
        try:
            item = inliner.inline(item)
        except RefError as exc:
            problems.append(doc.problem(("paths", route), f"paths.{route}: {exc}"))
            continue
        inlined_problems = _shape_problems(doc, item, ("paths", route))
        if inlined_problems:  # a $ref that resolves to something of the wrong type
            problems += inlined_problems
            continue
        for method in METHODS:
            op = item.get(method) if isinstance(item, dict) else None
            if isinstance(op, dict):
                tool = _tool(doc, route, method, item, op, names, patterns, notes, problems)
                tools += [tool] if tool else []
    problems += [Problem("--include", None, f"{p!r} matches no operation") for p in patterns.unused_includes()]
    if not tools and not problems:
        problems.append(Problem(doc.source, doc.line(("paths",)) or 1,
                                "no operation left to import (check --include / --exclude)"))
    if problems:
        raise InputError(problems)
    notes += [f"--exclude {p!r} matched no operation" for p in patterns.unused_excludes()]
    info = document.get("info") or {}
    env = api_key_env or f"{snake_case(name).upper()}_API_KEY"
    auth, auth_notes = _auth(document, env)
    url = _base_url(document, base_url)
    service = None
    if url is None:
        notes.append("the document names no absolute server URL: no `service:` was written, so `sim: live` is not "
                     "possible until you add one (or import again with --base-url URL)")
    else:
        service = HttpService(kind="openapi", base_url=url, auth=auth, spec=str(path))
        notes += auth_notes
    return Imported(title=str(info.get("title") or name), about=str(info.get("description") or "").strip(),
                    tools=tools, service=service, source=str(path), notes=names.notes + notes)


def _tool(doc: YamlDocument, route: str, method: str, item: dict[str, Any], op: dict[str, Any], names: Names,
          patterns: Filter, notes: list[str], problems: list[Problem]) -> ToolSpec | None:
    operation_id = str(op.get("operationId") or "")
    wanted = snake_case(operation_id) if operation_id else name_from_path(method, route)
    label = f"{method.upper()} {route}"
    if not patterns.keeps([wanted, operation_id, label, route]):
        return None
    what = f"{operation_id or wanted} ({label})"
    built = _Operation(wanted, method, route)
    merged = {(p.get("name"), p.get("in")): p for p in [*item.get("parameters", []), *op.get("parameters", [])]
              if isinstance(p, dict)}
    for param in merged.values():
        built.parameter(param)
    body = op.get("requestBody")
    if isinstance(body, dict) and not built.body(body):
        notes += built.notes
        return None
    returns, result_key = _returns(op, wanted)
    name = names.unique(wanted, what)
    http = HttpOperation(method=built.method, path=route, params=built.params, result_key=result_key)
    try:
        spec = ToolSpec(name=name, description=_describe(op, method, route), parameters=built.parameters_schema(),
                        returns=returns, read_only=built.method in READ_ONLY, http=http)
    except ValueError as exc:
        problems.append(doc.problem(("paths", route, method), f"{label}: cannot be made a tool: {exc}"))
        return None
    notes += built.notes
    return spec
