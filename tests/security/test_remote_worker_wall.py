"""A query worker of a remote store reaches the store's ports and nothing else.

Such a worker confines itself with ``connect_ports`` (cityref.services.sandbox): internet
sockets are allowed, and Landlock (ABI 4+) lets TCP connect to those ports only, so neither
a query nor a bug in the worker reaches another service on the machine. The worker proper
is exercised by the backend tests (tests/web/test_remote_backends.py); here the wall alone,
in a fresh interpreter as the worker runs it.
"""

from __future__ import annotations

import socket
import subprocess
import sys

import pytest

from cityref.store.remote import RemoteEndpoints

pytestmark = pytest.mark.skipif(sys.platform != "linux", reason="the sandbox is Linux only")

SCRIPT = """
import socket, ssl, sys
from pathlib import Path
from cityref.services.sandbox import confine
allowed, other = int(sys.argv[1]), int(sys.argv[2])
c = confine([], [], [allowed])
if not c.landlock_network:
    print("NO LANDLOCK NETWORK"); sys.exit(0)
for host, port in (("127.0.0.1", allowed), ("127.0.0.1", other), ("localhost", allowed)):
    try:
        socket.create_connection((host, port), timeout=5).close()
        print(host, port, "connected")
    except OSError as exc:
        print(host, port, "refused", exc.errno)
# An https store: TLS can still read the authorities it verifies the server with.
print("authorities", ssl.create_default_context().cert_store_stats()["x509_ca"] > 0)
"""


def test_worker_of_a_remote_store_connects_to_its_ports_only() -> None:
    with socket.socket() as store, socket.socket() as other:
        for listening in (store, other):
            listening.bind(("127.0.0.1", 0))
            listening.listen(2)
        allowed, elsewhere = store.getsockname()[1], other.getsockname()[1]
        endpoints = RemoteEndpoints(*(f"http://127.0.0.1:{allowed}/{p}" for p in "qug"))
        assert endpoints.ports() == (allowed,)
        done = subprocess.run(
            [sys.executable, "-c", SCRIPT, str(allowed), str(elsewhere)],
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
        )
    if done.stdout.startswith("NO LANDLOCK NETWORK"):
        pytest.skip("this kernel's Landlock cannot limit TCP connections (ABI < 4)")
    assert done.returncode == 0, done.stderr
    # A store named by host (localhost here) resolves: the resolver's files stay readable.
    assert done.stdout.splitlines() == [
        f"127.0.0.1 {allowed} connected",
        f"127.0.0.1 {elsewhere} refused 13",
        f"localhost {allowed} connected",
        "authorities True",
    ]
