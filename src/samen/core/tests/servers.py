"""Local servers on 127.0.0.1 for the outbound fetcher's tests: a small HTTP server with
routes, redirects and ETags, and raw TCP servers that answer something that is not HTTP or
answer too slowly."""

import hashlib
import socket
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


class FakeServer:
    """path -> (content type, body), with ETags; `redirects`: path -> (status, Location)."""

    def __init__(self):
        self.routes: dict[str, tuple[str, bytes]] = {}
        self.redirects: dict[str, tuple[int, str]] = {}
        self.requests: list[dict] = []
        server = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self):
                server.requests.append({"path": self.path, "headers": dict(self.headers)})
                path = self.path.split("?")[0]
                if path in server.redirects:
                    status, location = server.redirects[path]
                    self.send_response(status)
                    self.send_header("Location", location)
                    self.send_header("Content-Length", "0")
                    self.end_headers()
                    return
                if path not in server.routes:
                    self.send_response(404)
                    self.send_header("Content-Length", "0")
                    self.end_headers()
                    return
                content_type, body = server.routes[path]
                etag = '"' + hashlib.sha1(body).hexdigest() + '"'
                if self.headers.get("If-None-Match") == etag:
                    self.send_response(304)
                    self.end_headers()
                    return
                self.send_response(200)
                self.send_header("Content-Type", content_type)
                self.send_header("ETag", etag)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args):
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.port = self.httpd.server_address[1]
        self.url = f"http://127.0.0.1:{self.port}"
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()

    def close(self):
        self.httpd.shutdown()
        self.httpd.server_close()


class RawServer:
    """Accepts connections on 127.0.0.1 and runs `answer(connection)` for each, at most
    `limit` connections and `seconds` in all."""

    def __init__(self, answer, *, limit: int = 5, seconds: float = 10.0):
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(5)
        self.sock.settimeout(seconds)
        self.port = self.sock.getsockname()[1]
        self.url = f"http://127.0.0.1:{self.port}"
        self.answer = answer
        self.limit = limit
        threading.Thread(target=self._serve, daemon=True).start()

    def _serve(self):
        for _ in range(self.limit):
            try:
                connection, _address = self.sock.accept()
            except OSError:
                return
            threading.Thread(target=self._one, args=(connection,), daemon=True).start()

    def _one(self, connection):
        try:
            connection.settimeout(10)
            self.answer(connection)
        except OSError:
            pass
        finally:
            connection.close()

    def close(self):
        self.sock.close()


def banner(text: bytes):
    """An answer that is not HTTP (an SMTP or SSH banner, garbage)."""

    def answer(connection):
        connection.sendall(text)
        connection.recv(65536)  # the request, then hang up as such servers do
        time.sleep(0.05)

    return answer


def drip(*, seconds: float, every: float = 0.1):
    """A valid HTTP answer whose body comes one byte at a time for `seconds`: each read
    gets something in time, only a deadline for the whole download stops it."""

    def answer(connection):
        connection.recv(65536)
        connection.sendall(
            b"HTTP/1.1 200 OK\r\nContent-Type: text/calendar\r\n\r\nBEGIN:VCALENDAR\r\n"
        )
        ends = time.monotonic() + seconds
        while time.monotonic() < ends:
            connection.sendall(b"X")
            time.sleep(every)

    return answer
