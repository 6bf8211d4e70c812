"""Serving with a listening socket per worker (core/serving.py): the sockets share one address with SO_REUSEPORT,
each worker accepts on its own, connections spread over both workers, a dead worker is replaced on its socket, and
SIGTERM stops everything. The workers here serve a three-line ASGI app answering its process id."""

from __future__ import annotations

import http.client
import os
import signal
import socket
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

import pytest

from surety.core import serving

APP = '''
import os


async def app(scope, receive, send):
    body = str(os.getpid()).encode()
    await send({"type": "http.response.start", "status": 200,
                "headers": [(b"content-length", str(len(body)).encode()), (b"connection", b"close")]})
    await send({"type": "http.response.body", "body": body})
'''

pytestmark = pytest.mark.skipif(not hasattr(socket, "SO_REUSEPORT") or not Path("/proc/self/fd").exists(),
                                reason="SO_REUSEPORT and /proc are Linux's")


def test_the_sockets_share_one_port_each_a_listener_of_its_own():
    sockets = serving.reuseport_sockets("127.0.0.1", 0, 3)
    try:
        ports = {s.getsockname()[1] for s in sockets}
        assert len(ports) == 1 and ports != {0}
        assert len({s.fileno() for s in sockets}) == 3
        assert all(s.getsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT) for s in sockets)
    finally:
        for s in sockets:
            s.close()


def _pid_of_one_request(port: int) -> int:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    try:
        conn.request("GET", "/")
        return int(conn.getresponse().read())
    finally:
        conn.close()


def _socket_inodes(pid: int) -> set[str]:
    found = set()
    for fd in Path(f"/proc/{pid}/fd").iterdir():
        try:
            target = os.readlink(fd)
        except OSError:
            continue
        if target.startswith("socket:"):
            found.add(target)
    return found


def _listeners(port: int) -> set[str]:
    """The inodes of the TCP sockets listening on ``port`` (/proc/net/tcp: state 0A), as /proc/PID/fd names them."""
    found = set()
    for line in Path("/proc/net/tcp").read_text().splitlines()[1:]:
        fields = line.split()
        if fields[3] == "0A" and int(fields[1].rsplit(":", 1)[1], 16) == port:
            found.add(f"socket:[{fields[9]}]")
    return found


def _wait_for_workers(port: int, count: int, deadline: float) -> Counter:
    seen: Counter = Counter()
    while time.monotonic() < deadline:
        try:
            seen[_pid_of_one_request(port)] += 1
        except OSError:
            time.sleep(0.2)
            continue
        if len(seen) >= count:
            return seen
    raise AssertionError(f"workers answering: {dict(seen)}")


@pytest.fixture
def supervisor(tmp_path):
    (tmp_path / "pidapp.py").write_text(APP)
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(tmp_path), *sys.path])}
    proc = subprocess.Popen(_serve(port), env=env)
    try:
        yield proc, port, env
    finally:
        if proc.poll() is None:
            proc.terminate()  # the supervisor stops its workers
            try:
                proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()


def _serve(port: int) -> list[str]:
    # 60 s for a worker's health check, as `surety serve` allows (a busy 2-core machine needs more than 5 s)
    return [sys.executable, "-c", f"from surety.core import serving; serving.run('pidapp:app', host='127.0.0.1', "
            f"port={port}, workers=2, lifespan='off', log_level='warning', timeout_worker_healthcheck=60)"]


def _replaced(port: int, gone: set[int], deadline: float) -> Counter:
    """Two workers answering, none of ``gone``."""
    while True:
        answering = _wait_for_workers(port, 2, deadline)
        recent = Counter({pid: n for pid, n in answering.items() if pid not in gone})
        if len(recent) == 2:
            return recent
        assert time.monotonic() < deadline, answering
        time.sleep(0.2)


def test_connections_spread_over_workers_that_each_accept_on_their_own_socket(supervisor):
    proc, port, env = supervisor
    seen = _wait_for_workers(port, 2, time.monotonic() + 60)
    for _ in range(64):
        seen[_pid_of_one_request(port)] += 1
    workers = sorted(seen)
    assert len(workers) == 2, seen
    assert min(seen.values()) >= 12, seen  # the kernel's hash, not whichever loop wakes first (p < 1e-6 to fail)
    # each worker holds one of the supervisor's listening sockets, and not the other's
    listening = _listeners(port)
    assert len(listening) == 2 and listening <= _socket_inodes(proc.pid)
    held = [_socket_inodes(pid) & listening for pid in workers]
    assert all(len(h) == 1 for h in held) and held[0] != held[1], held

    # a second server on the same address is refused (SO_REUSEPORT would otherwise let it share the connections)
    second = subprocess.run(_serve(port), env=env, timeout=60, capture_output=True, text=True)
    assert second.returncode == 3 and "Cannot listen" in second.stderr, second.stderr

    # a worker that dies is replaced, on a fresh socket: two workers answer again, one of them new
    os.kill(workers[0], signal.SIGKILL)
    answering = _replaced(port, {workers[0]}, time.monotonic() + 60)
    replacement = next(pid for pid in answering if pid != workers[1])
    listening = _listeners(port)
    assert len(listening) == 2 and held[0] not in [{inode} for inode in listening]
    assert len(_socket_inodes(replacement) & listening) == 1
    assert _socket_inodes(replacement) & listening != held[1]

    # SIGHUP replaces every worker, one after the other
    proc.send_signal(signal.SIGHUP)
    _replaced(port, set(answering), time.monotonic() + 120)

    proc.send_signal(signal.SIGTERM)
    assert proc.wait(timeout=30) == 0
    assert not _listeners(port)
