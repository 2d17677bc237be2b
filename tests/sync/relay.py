"""A TCP relay for testing sync over bad links: throttles, delays, cuts and stalls.

    with Relay(service.port, rate=5_000) as relay:        # 5 KB/s each way
        client = SyncClient(store, relay.url, ...)
    relay.stall()            # stop moving bytes (connections stay open)
    relay.cut_fraction = 0.2 # 20 % of new connections are cut at a random point
    Relay(port, cut_every=500_000)  # and/or a cut every 500 KB on average

It sits between the real sync client and a real service on 127.0.0.1 (TLS passes through
untouched), with threads; everything is bounded: ``close()`` shuts every connection and its
threads end within a fraction of a second.  Counters: connections, cuts, bytes each way.
"""

from __future__ import annotations

import contextlib
import random
import socket
import threading
import time
from dataclasses import dataclass


@dataclass
class RelayStats:
    connections: int = 0
    cuts: int = 0
    bytes_up: int = 0  # client -> service
    bytes_down: int = 0  # service -> client


class _Link:
    """One client connection and its upstream, with its own cut point."""

    def __init__(self, relay: Relay, client: socket.socket, upstream: socket.socket,
                 cut_at: int | None) -> None:
        self.relay, self.client, self.upstream = relay, client, upstream
        self.cut_at = cut_at  # total bytes (both ways) after which the link is cut
        self.moved = 0
        self.lock = threading.Lock()
        self.closed = False

    def start(self) -> None:
        for src, dst, up in ((self.client, self.upstream, True),
                             (self.upstream, self.client, False)):
            threading.Thread(target=self._pump, args=(src, dst, up), daemon=True,
                             name="relay-pump").start()

    def close(self, *, cut: bool = False) -> None:
        with self.lock:
            if self.closed:
                return
            self.closed = True
        if cut:
            with self.relay.lock:
                self.relay.stats.cuts += 1
        for sock in (self.client, self.upstream):
            with contextlib.suppress(OSError):
                if cut:  # an abrupt reset, like a dropped signal
                    sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER,
                                    b"\x01\x00\x00\x00\x00\x00\x00\x00")
                sock.shutdown(socket.SHUT_RDWR)
            with contextlib.suppress(OSError):
                sock.close()

    def _pump(self, src: socket.socket, dst: socket.socket, up: bool) -> None:
        relay = self.relay
        last = time.monotonic()
        try:
            src.settimeout(0.2)
            while not self.closed and not relay.closed:
                try:
                    data = src.recv(relay.chunk_size())
                except TimeoutError:
                    continue
                if not data:
                    break
                if relay.latency and time.monotonic() - last > 0.2:
                    time.sleep(relay.latency)  # a request or answer after a pause
                view = memoryview(data)
                while view and not self.closed:
                    while relay.stalled and not self.closed and not relay.closed:
                        time.sleep(0.05)
                    piece = view[:relay.chunk_size()]
                    if self.cut_at is not None:
                        with self.lock:
                            allowed = self.cut_at - self.moved
                        if allowed <= 0:
                            self.close(cut=True)
                            return
                        piece = piece[:allowed]
                    dst.sendall(piece)
                    with self.lock:
                        self.moved += len(piece)
                    with relay.lock:
                        if up:
                            relay.stats.bytes_up += len(piece)
                        else:
                            relay.stats.bytes_down += len(piece)
                    view = view[len(piece):]
                    relay.throttle(len(piece), up)
                last = time.monotonic()
        except OSError:
            pass
        finally:
            self.close()


class Relay:
    """Listen on 127.0.0.1:<free port> and forward to 127.0.0.1:``target_port``."""

    def __init__(self, target_port: int, *, rate: float | None = None, latency: float = 0.0,
                 cut_fraction: float = 0.0, cut_window: int = 256 * 1024,
                 cut_every: int | None = None,
                 seed: int = 22, scheme: str = "https") -> None:
        self.target_port = target_port
        self.rate = rate  # bytes per second, each way
        self.latency = latency
        self.cut_fraction = cut_fraction
        self.cut_window = cut_window
        # Besides: cuts at random moments, on average one per ``cut_every`` bytes (a signal
        # that comes and goes), whatever the connection.
        self.cut_every = cut_every
        self.rng = random.Random(seed)
        self.scheme = scheme
        self.stats = RelayStats()
        self.lock = threading.Lock()
        self.stalled = False
        self.refusing = False  # accept, then hang up at once (the signal is gone)
        self.closed = False
        self._links: list[_Link] = []
        self._next_send = {True: time.monotonic(), False: time.monotonic()}
        self._listener = socket.socket()
        # Little buffering on the way, as on a real slow link (bandwidth x delay is small).
        self._listener.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 16 * 1024)
        self._listener.bind(("127.0.0.1", 0))
        self._listener.listen(64)
        self._listener.settimeout(0.2)
        self.port = int(self._listener.getsockname()[1])
        self._thread = threading.Thread(target=self._accept, daemon=True, name="relay")
        self._thread.start()

    @property
    def url(self) -> str:
        return f"{self.scheme}://127.0.0.1:{self.port}"

    def __enter__(self) -> Relay:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.close()

    def stall(self, on: bool = True) -> None:
        self.stalled = on

    def cut_all(self) -> None:
        for link in list(self._links):
            link.close(cut=True)

    def chunk_size(self) -> int:
        if self.rate is None:
            return 64 * 1024
        return max(256, min(16 * 1024, int(self.rate / 20)))

    def throttle(self, size: int, up: bool) -> None:
        """Shared budget per direction: the link carries ``rate`` bytes/s each way."""
        if self.rate is None:
            return
        with self.lock:
            now = time.monotonic()
            start = max(now, self._next_send[up])
            self._next_send[up] = start + size / self.rate
            wait = self._next_send[up] - now
        if wait > 0:
            time.sleep(wait)

    def _accept(self) -> None:
        while not self.closed:
            try:
                client, _ = self._listener.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            if self.refusing:
                with contextlib.suppress(OSError):
                    client.close()
                continue
            try:
                upstream = socket.create_connection(("127.0.0.1", self.target_port), 5)
            except OSError:
                client.close()
                continue
            with self.lock:
                self.stats.connections += 1
                cut_at = (self.rng.randint(1, self.cut_window)
                          if self.rng.random() < self.cut_fraction else None)
                if self.cut_every:
                    lasts = 1 + int(self.rng.expovariate(1 / self.cut_every))
                    cut_at = lasts if cut_at is None else min(cut_at, lasts)
            link = _Link(self, client, upstream, cut_at)
            self._links = [lk for lk in self._links if not lk.closed] + [link]
            link.start()

    def close(self) -> None:
        self.closed = True
        with contextlib.suppress(OSError):
            self._listener.close()
        for link in list(self._links):
            link.close()
        self._thread.join(2)
