"""Serving with several worker processes, each accepting on a listening socket of its own (``SO_REUSEPORT``).

uvicorn's own supervisor hands every worker the same listening socket. Whichever worker's loop wakes first accepts
every connection waiting (asyncio accepts up to the backlog in one go), and a kept-alive connection stays with the
worker that accepted it; so a client that opens its connections in a burst (a load balancer, a test) can leave one
worker with most of them: ``make load`` saw one worker at 81% of a core and the other at 60% while the first one's
admission gate already answered 503. With a socket per worker bound to the same address with ``SO_REUSEPORT``, the
kernel spreads new connections over the sockets by a hash of their addresses, evenly whatever each worker is doing.

:class:`Supervisor` starts one uvicorn worker per socket (uvicorn's ``Process``: the same start-up and health
check as its own supervisor), replaces a worker that dies or stops answering its health check (on a fresh socket:
the connections waiting on the dead one's are reset rather than left waiting for the replacement's start-up),
replaces every worker one after the other on SIGHUP, and stops them all on SIGINT or SIGTERM. SIGTTIN/SIGTTOU
(uvicorn's one worker more or less) are refused with a warning: restart to change the number of workers. It refuses
to start when something already listens on the address (with ``SO_REUSEPORT`` it would otherwise share it). Where
the platform has no ``SO_REUSEPORT`` (or one worker is asked for), :func:`run` is ``uvicorn.run``.
"""

from __future__ import annotations

import logging
import signal
import socket
import sys
import threading

import uvicorn
from uvicorn.config import STARTUP_FAILURE
from uvicorn.supervisors.multiprocess import Process

log = logging.getLogger("uvicorn.error")


def _family(host: str) -> socket.AddressFamily:
    return socket.AF_INET6 if ":" in host else socket.AF_INET


def reuseport_sockets(host: str, port: int, count: int) -> list[socket.socket]:
    """``count`` listening sockets bound to ``host:port`` with ``SO_REUSEPORT`` (port 0: the first one's port)."""
    family = _family(host)
    sockets: list[socket.socket] = []
    try:
        for _ in range(count):
            sock = socket.socket(family, socket.SOCK_STREAM, socket.IPPROTO_TCP)
            sockets.append(sock)
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
            sock.bind((host, port))
            port = sock.getsockname()[1]
            sock.set_inheritable(True)
    except OSError:
        for sock in sockets:
            sock.close()
        raise
    return sockets


class Supervisor:
    """One worker per socket; a dead or hung worker is replaced on a fresh socket; SIGHUP replaces every worker, one
    after the other; SIGINT/SIGTERM stop them all."""

    def __init__(self, config: uvicorn.Config, sockets: list[socket.socket]):
        self.config = config
        self.sockets = sockets
        self.host: str = sockets[0].getsockname()[0]
        self.port: int = sockets[0].getsockname()[1]
        self.processes: list[Process] = []
        self.should_exit = threading.Event()
        self.signals: list[int] = []

    def run(self) -> None:
        for sig in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP, signal.SIGTTIN, signal.SIGTTOU):
            signal.signal(sig, lambda sig, _frame: self.signals.append(sig))
        log.info("Started %d workers, a listening socket each (SO_REUSEPORT)", len(self.sockets))
        self.processes = [self._start(sock) for sock in self.sockets]
        try:
            while not self.should_exit.wait(0.5):
                self.handle_signals()
                self.keep_alive()
        finally:
            for process in self.processes:
                process.terminate()
            for process in self.processes:
                process.join()

    def handle_signals(self) -> None:
        while self.signals:
            sig = self.signals.pop(0)
            if sig in (signal.SIGINT, signal.SIGTERM):
                self.should_exit.set()
            elif sig == signal.SIGHUP:
                self.restart_all()
            else:
                log.warning("Changing the number of workers while serving is not supported; restart instead")

    def restart_all(self) -> None:
        """Each worker replaced by a new one on its socket, the new one serving before the old one stops."""
        for slot, old in enumerate(self.processes):
            if self.should_exit.is_set():
                return
            new = self._start(self.sockets[slot])
            if not new.wait_until_ready(self.config.timeout_worker_healthcheck, self.should_exit):
                new.kill()
                new.join()
                log.error("A new worker was not ready in time; keeping worker [%s]", old.pid)
                return
            old.terminate()
            old.join()
            self.processes[slot] = new

    def keep_alive(self) -> None:
        for slot, process in enumerate(self.processes):
            if self.should_exit.is_set() or process.is_alive(timeout=self.config.timeout_worker_healthcheck):
                continue
            process.kill()
            process.join()
            if process.exitcode == STARTUP_FAILURE:  # the app or its settings are broken: every restart would fail
                log.error("Worker [%s] failed to start; stopping", process.pid)
                self.should_exit.set()
                return
            # The connections waiting on the dead worker's socket would wait for its replacement's start-up (seconds
            # on a busy machine): close it (they are reset, a client or proxy retries) and listen on a fresh one.
            self.sockets[slot].close()
            self.sockets[slot] = reuseport_sockets(self.host, self.port, 1)[0]
            log.warning("Worker [%s] died; starting another", process.pid)
            self.processes[slot] = self._start(self.sockets[slot])

    def _start(self, sock: socket.socket) -> Process:
        process = Process(self.config, [sock])
        process.start()
        return process


def _refuse_taken_address(host: str, port: int) -> None:
    """Fail when something already listens on ``host:port``: a socket without ``SO_REUSEPORT`` cannot bind beside
    it, where ours would (and would share the connections with, say, the workers of a server left running)."""
    if port == 0:
        return
    with socket.socket(_family(host), socket.SOCK_STREAM) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        probe.bind((host, port))


def run(app: str, *, host: str, port: int, workers: int, **options) -> None:
    """``uvicorn.run(app, ...)``, except that several workers get a listening socket each (module docstring)."""
    if workers <= 1 or not hasattr(socket, "SO_REUSEPORT"):
        uvicorn.run(app, host=host, port=port, workers=workers, **options)
        return
    config = uvicorn.Config(app, host=host, port=port, workers=workers, **options)
    try:
        _refuse_taken_address(host, port)
        sockets = reuseport_sockets(host, port, workers)
    except OSError as exc:
        log.error("Cannot listen on %s:%s: %s", host, port, exc)
        sys.exit(STARTUP_FAILURE)
    try:
        Supervisor(config, sockets).run()
    finally:
        for sock in sockets:
            sock.close()
