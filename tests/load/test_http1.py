"""The load generator's HTTP/1.1 client (tests/load/http1.py) against a scripted server on a local socket:
keep-alive reuse, the three ways a body ends, ``Connection: close``, and that a failed or timed-out request never
leaves its connection to the next one."""

from __future__ import annotations

import asyncio
import importlib.util
import json
import sys
from pathlib import Path

import pytest

HERE = Path(__file__).resolve().parent
_spec = importlib.util.spec_from_file_location("surety_load_http1", HERE / "http1.py")
http1 = importlib.util.module_from_spec(_spec)
sys.modules[_spec.name] = http1  # dataclasses look their module up
_spec.loader.exec_module(http1)


class Scripted:
    """A server answering each request with the next canned response; it records the requests it read and counts
    the connections it accepted."""

    def __init__(self, answers: list[bytes], pause: float = 0.0):
        self.answers = list(answers)
        self.pause = pause
        self.requests: list[tuple[bytes, bytes]] = []
        self.accepted = 0

    async def handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.accepted += 1
        try:
            while self.answers:
                head = await reader.readuntil(b"\r\n\r\n")
                length = 0
                for line in head.split(b"\r\n"):
                    if line.lower().startswith(b"content-length:"):
                        length = int(line.split(b":", 1)[1])
                body = await reader.readexactly(length)
                self.requests.append((head, body))
                if self.pause:
                    await asyncio.sleep(self.pause)
                answer = self.answers.pop(0)
                writer.write(answer)
                await writer.drain()
                if b"connection: close" in answer.lower():
                    break
        except (asyncio.IncompleteReadError, ConnectionError):
            pass
        finally:
            writer.close()


def _ok(body: bytes, *extra: bytes) -> bytes:
    return b"\r\n".join([b"HTTP/1.1 200 OK", b"content-length: " + str(len(body)).encode(), *extra, b"", body])


def _run(answers: list[bytes], scenario, pause: float = 0.0, timeout: float = 5.0):
    async def main():
        server = Scripted(answers, pause)
        listener = await asyncio.start_server(server.handle, "127.0.0.1", 0)
        port = listener.sockets[0].getsockname()[1]
        try:
            async with http1.Client(f"http://127.0.0.1:{port}", timeout=timeout) as client:
                return server, await scenario(client)
        finally:
            listener.close()

    return asyncio.run(main())


def test_requests_share_one_kept_alive_connection_and_carry_body_and_headers():
    async def scenario(client):
        first = await client.post("/graphql", json={"query": "{ a }", "n": "中文"},
                                  headers={"Authorization": "Bearer t"})
        second = await client.post("/graphql", json={"query": "{ b }"})
        return first, second, client.connections

    server, (first, second, connections) = _run([_ok(b'{"data":1}'), _ok(b'{"data":2}')], scenario)
    assert (first.status_code, first.json(), second.json()) == (200, {"data": 1}, {"data": 2})
    assert server.accepted == 1 and connections == 1
    head, body = server.requests[0]
    assert head.startswith(b"POST /graphql HTTP/1.1\r\n")
    assert b"\r\nAuthorization: Bearer t\r\n" in head and b"\r\nContent-Type: application/json\r\n" in head
    assert json.loads(body) == {"query": "{ a }", "n": "中文"}


def test_a_chunked_body_is_joined_and_the_connection_kept():
    chunked = (b"HTTP/1.1 503 Service Unavailable\r\ntransfer-encoding: chunked\r\n\r\n"
               b"4\r\n{\"a\"\r\n3\r\n:1}\r\n0\r\n\r\n")

    async def scenario(client):
        refused = await client.post("/x", json={})
        again = await client.post("/x", json={})
        return refused, again

    server, (refused, again) = _run([chunked, _ok(b"{}")], scenario)
    assert (refused.status_code, refused.json(), again.status_code) == (503, {"a": 1}, 200)
    assert server.accepted == 1


def test_connection_close_is_honoured_and_the_next_request_opens_a_new_connection():
    async def scenario(client):
        first = await client.get("/healthz")
        open_after_first = client.connections
        second = await client.get("/healthz")
        return first, open_after_first, second

    server, (first, open_after_first, second) = _run(
        [_ok(b"ok", b"connection: close"), _ok(b"ok")], scenario)
    assert (first.content, second.content) == (b"ok", b"ok")
    assert open_after_first == 0 and server.accepted == 2
    assert server.requests[0][0].startswith(b"GET /healthz HTTP/1.1\r\n")


def test_a_body_without_length_runs_to_the_close():
    async def scenario(client):
        answer = await client.get("/")
        return answer, client.connections

    _, (answer, connections) = _run([b"HTTP/1.1 200 OK\r\nconnection: close\r\n\r\nall of it"], scenario)
    assert answer.content == b"all of it" and connections == 0


def test_a_timed_out_request_drops_its_connection():
    async def scenario(client):
        with pytest.raises(TimeoutError):
            await client.post("/slow", json={})
        return client.connections

    _, connections = _run([_ok(b"late")], scenario, pause=0.5, timeout=0.1)
    assert connections == 0


def test_a_server_that_hangs_up_is_an_http_error():
    async def scenario(client):
        with pytest.raises(http1.HttpError):
            await client.post("/x", json={})
        return client.connections

    _, connections = _run([], scenario)
    assert connections == 0


def test_only_http_urls():
    with pytest.raises(ValueError):
        http1.Client("https://example.invalid:443")


def _run_closing_after_each_answer(scenario):
    """Like :func:`_run`, with a server that closes each connection after one answer without saying so (as uvicorn
    does at its keep-alive timeout). Returns (server, the scenario's result)."""
    server = Scripted([_ok(b"1"), _ok(b"2")])

    async def one_answer(reader, writer):
        saved = server.answers
        server.answers = saved[:1]
        await server.handle(reader, writer)
        server.answers = saved[1:]

    async def main():
        listener = await asyncio.start_server(one_answer, "127.0.0.1", 0)
        port = listener.sockets[0].getsockname()[1]
        try:
            async with http1.Client(f"http://127.0.0.1:{port}") as client:
                return await scenario(client)
        finally:
            listener.close()

    return server, asyncio.run(main())


def test_a_connection_the_server_closed_while_idle_is_not_reused():
    async def scenario(client):
        first = await client.get("/a")
        await asyncio.sleep(0.05)  # the server's close reaches the client
        return first, await client.post("/b", json={})  # a POST is never resent: it must not meet the closed one

    server, (first, second) = _run_closing_after_each_answer(scenario)
    assert (first.content, second.content) == (b"1", b"2")
    assert server.accepted == 2


def test_a_kept_alive_connection_closed_as_the_request_is_written_is_sent_again_on_a_new_one(monkeypatch):
    async def scenario(client):
        first = await client.get("/a")
        monkeypatch.setattr(http1._Connection, "usable", lambda self, now: True)  # the close is not seen in time
        await asyncio.sleep(0.05)
        return first, await client.get("/b"), client.connections

    server, (first, second, connections) = _run_closing_after_each_answer(scenario)
    assert (first.content, second.content) == (b"1", b"2")
    assert server.accepted == 2 and connections == 1


def test_a_post_on_a_kept_alive_connection_closed_before_any_answer_is_not_sent_again(monkeypatch):
    async def scenario(client):
        await client.get("/a")
        monkeypatch.setattr(http1._Connection, "usable", lambda self, now: True)  # the close is not seen in time
        await asyncio.sleep(0.05)
        with pytest.raises(http1.HttpError):
            await client.post("/b", json={})
        return client.connections

    server, connections = _run_closing_after_each_answer(scenario)
    assert server.accepted == 1 and connections == 0  # no second connection: the POST was not resent


def test_an_unreadable_answer_is_an_http_error_and_drops_the_connection():
    async def scenario(client):
        with pytest.raises(http1.HttpError):
            await client.get("/x")
        return client.connections

    _, connections = _run([b"HTTP/1.1 200 OK\r\ncontent-length: many\r\n\r\n"], scenario)
    assert connections == 0


def test_idle_connections_older_than_the_keep_alive_margin_are_dropped(monkeypatch):
    async def scenario(client):
        await client.get("/a")
        monkeypatch.setattr(http1, "IDLE_SECONDS", 0.0)
        await client.get("/b")
        return client.connections

    server, connections = _run([_ok(b"1"), _ok(b"2")], scenario)
    assert server.accepted == 2 and connections == 1
