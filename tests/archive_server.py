"""ArchiveServer: files over HTTP on 127.0.0.1 (never another address), with the faults a real download meets:
a connection dropped part-way, a server that ignores Range requests, a slow server, a missing file, a server
that is down. Range requests (`bytes=N-`) are answered with 206 as by the real archive hosts."""

from __future__ import annotations

import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


class ArchiveServer:
    def __init__(self, files: dict[str, bytes]):
        self.files = dict(files)
        self.requests: list[tuple[str, str, str | None]] = []  # (method, path, Range header)
        self.drop_after: dict[str, int] = {}  # file -> bytes sent before the connection drops (once)
        self.ignore_range = False  # answer every request with the whole file (200)
        self.delay = 0.0  # seconds before a body is sent
        server = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args) -> None:
                pass

            def do_GET(self) -> None:
                server.requests.append(("GET", self.path, self.headers.get("Range")))
                name = self.path.lstrip("/")
                if name not in server.files:
                    self.send_error(404, "Not Found")
                    return
                body, start = server.files[name], 0
                wanted = self.headers.get("Range")
                if wanted and not server.ignore_range:
                    start = int(wanted.removeprefix("bytes=").split("-")[0])
                    if start >= len(body):
                        self.send_error(416, "Range Not Satisfiable")
                        return
                    self.send_response(206)
                    self.send_header("Content-Range", f"bytes {start}-{len(body) - 1}/{len(body)}")
                else:
                    self.send_response(200)
                self.send_header("Content-Length", str(len(body) - start))
                self.send_header("Accept-Ranges", "bytes")
                self.end_headers()
                time.sleep(server.delay)
                drop = server.drop_after.pop(name, None)
                if drop is not None:
                    self.wfile.write(body[start : start + drop])
                    self.wfile.flush()
                    self.close_connection = True
                    return
                self.wfile.write(body[start:])

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self.thread = threading.Thread(target=self.httpd.serve_forever, args=(0.05,), daemon=True)  # quick to stop
        self.thread.start()

    @property
    def endpoint(self) -> str:
        return f"http://127.0.0.1:{self.httpd.server_address[1]}"

    def gets(self, name: str) -> list[str | None]:
        """The Range header of every GET of `name`."""
        return [ranged for method, path, ranged in self.requests if method == "GET" and path == f"/{name}"]

    def stop(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()

    def __enter__(self) -> ArchiveServer:
        return self

    def __exit__(self, *exc) -> None:
        self.stop()
