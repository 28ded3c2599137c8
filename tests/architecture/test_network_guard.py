"""The guard that keeps tests off the internet (tests/netguard/) holds in this process and in
subprocesses, and leaves 127.0.0.1 alone."""

from __future__ import annotations

import socket
import subprocess
import sys

import pytest

from tests.netguard import toolsim_netguard


@pytest.fixture
def forget_refusals():
    before = list(toolsim_netguard.BLOCKED)
    yield
    toolsim_netguard.BLOCKED[:] = before  # the refusals below were asked for


def test_an_outside_address_is_refused(forget_refusals):
    with socket.socket() as sock, pytest.raises(toolsim_netguard.NetworkBlocked, match="127.0.0.1"):
        sock.connect(("192.0.2.1", 80))  # TEST-NET-1: never routed anyway


def test_a_dns_lookup_is_refused(forget_refusals):
    with pytest.raises(toolsim_netguard.NetworkBlocked, match="DNS"):
        socket.getaddrinfo("example.com", 443)


def test_loopback_stays_reachable():
    with socket.socket() as server:
        server.bind(("127.0.0.1", 0))
        server.listen()
        with socket.create_connection(server.getsockname(), timeout=5):
            pass
    assert socket.getaddrinfo("localhost", 80)


def test_subprocesses_are_guarded_too():
    code = "import socket; socket.create_connection(('192.0.2.1', 80), timeout=1)"
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert done.returncode != 0 and "NetworkBlocked" in done.stderr
