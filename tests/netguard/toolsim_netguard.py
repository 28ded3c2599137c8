"""No test reaches the network: any outbound connection to a non-loopback address (and any DNS
lookup of a name other than localhost) raises `NetworkBlocked`.

Installed in the test process by tests/conftest.py and, through `sitecustomize.py` in this
folder (which conftest puts on PYTHONPATH), in every Python subprocess a test starts — the CLI
tests run `python -m simulator.cli` as a child. Local fake servers on 127.0.0.1 stay reachable.
"""

from __future__ import annotations

import ipaddress
import socket

BLOCKED: list[str] = []  # what was refused in this process (conftest fails the session on any)


class NetworkBlocked(RuntimeError):
    """A test tried to reach a host that is not this machine."""


def _local(host: object) -> bool:
    if not isinstance(host, str):
        return False
    if host in ("localhost", "") or host.endswith(".localhost"):
        return True
    try:
        return ipaddress.ip_address(host.split("%")[0]).is_loopback
    except ValueError:
        return False


def _refuse(what: str) -> None:
    BLOCKED.append(what)
    raise NetworkBlocked(f"tests may only talk to servers on 127.0.0.1; refused {what}")


def install() -> None:
    if getattr(socket.socket.connect, "_toolsim_guard", False):
        return
    real_connect, real_connect_ex, real_getaddrinfo = socket.socket.connect, socket.socket.connect_ex, socket.getaddrinfo

    def connect(self: socket.socket, address: object) -> None:
        if self.family in (socket.AF_INET, socket.AF_INET6) and not _local(address[0]):  # type: ignore[index]
            _refuse(f"a connection to {address!r}")
        return real_connect(self, address)

    def connect_ex(self: socket.socket, address: object) -> int:
        if self.family in (socket.AF_INET, socket.AF_INET6) and not _local(address[0]):  # type: ignore[index]
            _refuse(f"a connection to {address!r}")
        return real_connect_ex(self, address)

    def getaddrinfo(host: object, *args: object, **kwargs: object) -> list:
        if host is not None and not _local(host if not isinstance(host, bytes) else host.decode()):
            _refuse(f"a DNS lookup of {host!r}")
        return real_getaddrinfo(host, *args, **kwargs)

    connect._toolsim_guard = True  # type: ignore[attr-defined]
    socket.socket.connect = connect  # type: ignore[method-assign]
    socket.socket.connect_ex = connect_ex  # type: ignore[method-assign]
    socket.getaddrinfo = getaddrinfo  # type: ignore[assignment]
