"""A TCP relay on loopback that can be switched, while connections are open, between forwarding to a real
service, hanging (accepts, keeps every connection open, relays nothing) and refusing (resets everything).
Every loop polls a stop flag, so closing it is bounded in time."""

import contextlib
import select
import socket
import struct
import threading

FORWARD, HANG, RESET = "forward", "hang", "reset"


def _reset(sock):
    with contextlib.suppress(OSError):
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        sock.close()


class Switch:
    def __init__(self, target_port, target_host="127.0.0.1"):
        self.target = (target_host, target_port)
        self.mode = FORWARD
        self.listener = socket.socket()
        self.listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.listener.bind(("127.0.0.1", 0))
        self.listener.listen(128)
        self.listener.settimeout(0.1)
        self.port = self.listener.getsockname()[1]
        self.stopping = threading.Event()
        self.pairs = []
        self.lock = threading.Lock()
        self.thread = threading.Thread(target=self._accept, daemon=True)
        self.thread.start()

    def set(self, mode):
        self.mode = mode
        if mode == RESET:
            with self.lock:
                pairs, self.pairs = self.pairs, []
            for pair in pairs:
                for sock in pair:
                    if sock is not None:
                        _reset(sock)

    def _accept(self):
        while not self.stopping.is_set():
            try:
                client, _ = self.listener.accept()
            except OSError:
                continue
            if self.mode == RESET:
                _reset(client)
                continue
            upstream = None
            if self.mode == FORWARD:
                try:
                    upstream = socket.create_connection(self.target, timeout=2)
                except OSError:
                    _reset(client)
                    continue
            with self.lock:
                self.pairs.append((client, upstream))
            threading.Thread(target=self._relay, args=(client, upstream), daemon=True).start()

    def _relay(self, client, upstream):
        while not self.stopping.is_set():
            if self.mode != FORWARD or upstream is None:
                if self.mode == RESET:
                    return
                self.stopping.wait(0.05)
                if upstream is None and self.mode == FORWARD:
                    try:  # a connection accepted while hanging: connect it now
                        upstream = socket.create_connection(self.target, timeout=2)
                    except OSError:
                        _reset(client)
                        return
                continue
            try:
                readable, _, _ = select.select([client, upstream], [], [], 0.05)
            except (OSError, ValueError):
                return
            if self.mode != FORWARD:
                continue
            for sock in readable:
                other = upstream if sock is client else client
                try:
                    data = sock.recv(65536)
                except OSError:
                    data = b""
                if not data:
                    for s in (client, upstream):
                        with contextlib.suppress(OSError):
                            s.close()
                    return
                try:
                    other.sendall(data)
                except OSError:
                    return

    def close(self):
        self.stopping.set()
        self.thread.join(timeout=2)
        with self.lock:
            pairs, self.pairs = self.pairs, []
        for pair in pairs:
            for sock in pair:
                if sock is not None:
                    with contextlib.suppress(OSError):
                        sock.close()
        self.listener.close()
