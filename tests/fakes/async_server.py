"""The fake OpenAI-compatible server on one asyncio event loop (aiohttp.web), for benchmarks at
high concurrency: the threaded test server (`http_fake.py`) spends a thread per connection and
cannot keep 256 requests held 200 ms each without becoming the bottleneck it is meant to time.

    python -m tests.fakes.async_server --latency 0.2 [--responder tests.fakes.toy_model:respond]

prints its base URL, serves until stdin closes, then prints one JSON line: every request's
arrival and answer times (time.time()).
"""

from __future__ import annotations

import argparse
import asyncio
import importlib
import json
import sys
import threading
import time

from aiohttp import web

from tests.fakes.http_fake import Request
from tests.fakes.openai_server import text


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--latency", type=float, default=0.0)
    parser.add_argument("--responder", metavar="MODULE:FUNCTION")
    args = parser.parse_args()
    respond = lambda request: text("ok")  # noqa: E731
    if args.responder:
        module, _, name = args.responder.partition(":")
        respond = getattr(importlib.import_module(module), name)
    times: list[tuple[float, float]] = []

    async def completions(http: web.Request) -> web.Response:
        arrived = time.time()
        body = json.loads(await http.read())
        reply = respond(Request("POST", http.path, dict(http.headers), body, arrived))
        await asyncio.sleep(reply.delay or args.latency)
        response = web.Response(status=reply.status, body=json.dumps(reply.body).encode(),
                                content_type="application/json")
        times.append((arrived, time.time()))
        return response

    async def serve() -> None:
        app = web.Application()
        app.router.add_post("/v1/chat/completions", completions)
        runner = web.AppRunner(app, access_log=None)
        await runner.setup()
        site = web.TCPSite(runner, "127.0.0.1", 0, backlog=1024)
        await site.start()
        port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
        print(f"http://127.0.0.1:{port}/v1", flush=True)
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        threading.Thread(target=lambda: (sys.stdin.read(), loop.call_soon_threadsafe(stop.set)), daemon=True).start()
        await stop.wait()
        await runner.cleanup()

    asyncio.run(serve())
    print(json.dumps(times), flush=True)


if __name__ == "__main__":
    main()
