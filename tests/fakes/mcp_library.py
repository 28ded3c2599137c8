"""A local MCP server for the tests: a library's catalogue and loans, on the official SDK's own
server class (`MCPServer`), over stdio or streamable HTTP on 127.0.0.1.

    python -m tests.fakes.mcp_library                 # stdio (what `--from-mcp "COMMAND"` starts)
    serve_http() -> (url, stop)                       # streamable HTTP in a thread, on a free port

Answers are a pure function of the arguments, so a test can say what a live call must have
returned. Every tool call is appended (one JSON line) to the file `$LIBRARY_CALL_LOG` when set,
and counted in `CALLS` in this process, so a test can count the calls a rerun made (none).
Five tools: two read-only searches with enums and a pattern, one with an output schema that
fails for unknown loans, a write that renews a loan, and a write with a nested object argument.
"""

from __future__ import annotations

import hashlib
import json
import os
import sys
import threading
from typing import Annotated, Literal

from mcp.server.mcpserver import MCPServer
from mcp.server.mcpserver.exceptions import ToolError
from mcp.types import ToolAnnotations
from pydantic import BaseModel, Field

CALLS: list[dict] = []
READ = ToolAnnotations(readOnlyHint=True)
WRITE = ToolAnnotations(readOnlyHint=False, destructiveHint=False)
GENRES = ("fiction", "history", "science", "poetry")
BRANCHES = ("central", "riverside", "old_town")

app = MCPServer("City Library", instructions="Search the city library's catalogue and manage a member's loans.")


def _log(tool: str, arguments: dict) -> None:
    CALLS.append({"tool": tool, "arguments": arguments})
    path = os.environ.get("LIBRARY_CALL_LOG")
    if path:
        with open(path, "a", encoding="utf-8") as f:
            f.write(json.dumps({"tool": tool, "arguments": arguments}) + "\n")


def _number(*parts: object) -> int:
    return int(hashlib.sha256(":".join(map(str, parts)).encode()).hexdigest()[:8], 16)


class Book(BaseModel):
    isbn: str
    title: str
    genre: Literal["fiction", "history", "science", "poetry"]
    available: bool


class Loan(BaseModel):
    loan_id: str
    isbn: str
    due: str = Field(description="the day it is due back (YYYY-MM-DD)")
    renewals_left: int
    status: Literal["active", "overdue"]


class Member(BaseModel):
    name: str
    card_number: Annotated[str, Field(pattern=r"^CARD-[0-9]{6}$")]


def book(query: str, genre: str, index: int) -> dict:
    n = _number(query, genre, index)
    return {"isbn": f"978{n % 10**10:010d}", "title": f"{query.title()} {['Rising', 'Returns', 'Lost'][index % 3]}",
            "genre": genre, "available": n % 3 != 0}


def loan(loan_id: str, renewed: bool = False) -> dict:
    n = _number(loan_id)
    return {"loan_id": loan_id, "isbn": f"978{n % 10**10:010d}", "due": f"2026-0{1 + n % 9}-{10 + n % 18}",
            "renewals_left": n % 3 + (0 if renewed else 1), "status": "active"}


@app.tool(annotations=READ)
def search_books(query: Annotated[str, Field(min_length=2, description="words of the title or author")],
                 genre: Literal["fiction", "history", "science", "poetry"] = "fiction",
                 limit: Annotated[int, Field(ge=1, le=5)] = 3) -> dict:
    """Search the library catalogue for books by title or author words."""
    _log("search_books", {"query": query, "genre": genre, "limit": limit})
    return {"books": [book(query, genre, i) for i in range(limit)], "query": query}


@app.tool(name="get-loan", annotations=READ)
def get_loan(loan_id: Annotated[str, Field(pattern=r"^LN-[0-9]{4}$", description="the loan's number")]) -> Loan:
    """Look up one of the member's loans: the book, when it is due, renewals left."""
    _log("get-loan", {"loan_id": loan_id})
    if loan_id.startswith("LN-9"):
        raise ToolError(f"No loan {loan_id} on this card")
    return Loan(**loan(loan_id))


@app.tool(annotations=READ)
def list_branches(city: str) -> list[str]:
    """List the library's branches in a city."""
    _log("list_branches", {"city": city})
    return [f"{city} {name}" for name in BRANCHES]


@app.tool(annotations=WRITE)
def renew_loan(loan_id: Annotated[str, Field(pattern=r"^LN-[0-9]{4}$")]) -> Loan:
    """Renew a loan for three more weeks."""
    _log("renew_loan", {"loan_id": loan_id})
    if loan_id.startswith("LN-9"):
        raise ToolError(f"Loan {loan_id} cannot be renewed: it is overdue")
    return Loan(**loan(loan_id, renewed=True))


@app.tool(annotations=WRITE)
def place_hold(isbn: Annotated[str, Field(pattern=r"^978[0-9]{10}$")], member: Member,
               pickup_branch: Literal["central", "riverside", "old_town"] = "central") -> dict:
    """Place a hold on a book for a member, to collect at a branch."""
    _log("place_hold", {"isbn": isbn, "member": member.model_dump(), "pickup_branch": pickup_branch})
    return {"hold_id": f"HLD-{_number(isbn, member.card_number) % 10000:04d}", "isbn": isbn,
            "pickup_branch": pickup_branch, "ready_in_days": 1 + _number(isbn) % 4}


def serve_http() -> tuple[str, callable]:
    """Serve streamable HTTP on 127.0.0.1 (a free port) in a thread: (url, stop)."""
    import uvicorn

    config = uvicorn.Config(app.streamable_http_app(), host="127.0.0.1", port=0, log_level="warning")
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    while not server.started:
        if not thread.is_alive():
            raise RuntimeError("the MCP HTTP server did not start")
        threading.Event().wait(0.02)
    port = server.servers[0].sockets[0].getsockname()[1]

    def stop() -> None:
        server.should_exit = True
        thread.join(10)

    return f"http://127.0.0.1:{port}/mcp", stop


if __name__ == "__main__":
    app.run("stdio")
    sys.exit(0)
