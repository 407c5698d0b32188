#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""A CRL server for the download tests, on 127.0.0.1 only.

    crl_server.py --root DIR --port-file FILE [--log FILE] [--tls-cert PEM --tls-key PEM]

It listens on a free port and writes "PORT DEAD_PORT" to --port-file once it
accepts connections. DEAD_PORT is a port it holds bound but never listens on,
so connecting there is refused ("server down") and no other program can take
it meanwhile. Every request is logged as "METHOD PATH USER-AGENT".

    /NAME           the file DIR/NAME (404 when missing)
    /redirect/NAME  302 to /NAME
    /redirect-file/NAME  302 to file:///etc/passwd (a client must refuse)
    /slow/NAME      answers after 60 seconds (for the client's timeout)
    /garbage/NAME   200 with bytes that are no CRL
    /huge/NAME      200 without a length, streaming zeros up to 256 MiB

It stops on SIGTERM or SIGINT; slow answers in flight are dropped.
"""

import argparse
import http.server
import os
import signal
import socket
import ssl
import sys
import threading
import time

SLOW_SECONDS = 60
HUGE_BYTES = 256 << 20
CHUNK = 64 << 10


class CrlHandler(http.server.BaseHTTPRequestHandler):
    # HTTP/1.0: one request per connection, the body ends when the connection closes.
    protocol_version = "HTTP/1.0"
    server_version = "segen-test-crl-server"

    def log_message(self, fmt, *args):
        pass

    def log_request_line(self):
        agent = self.headers.get("User-Agent", "-")
        with self.server.log_lock:
            if self.server.log_file:
                self.server.log_file.write(f"{self.command} {self.path} {agent}\n")
                self.server.log_file.flush()

    def send_body(self, body, content_type="application/pkix-crl"):
        self.send_response(200)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def serve_file(self, name):
        if not name or name.startswith(".") or "/" in name:
            self.send_error(404)
            return
        path = os.path.join(self.server.root, name)
        try:
            with open(path, "rb") as f:
                body = f.read()
        except OSError:
            self.send_error(404)
            return
        self.send_body(body)

    def redirect(self, location):
        self.send_response(302)
        self.send_header("Location", location)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def stream_huge(self):
        self.send_response(200)
        self.send_header("Content-Type", "application/pkix-crl")
        self.end_headers()
        zeros = bytes(CHUNK)
        try:
            for _ in range(HUGE_BYTES // CHUNK):
                self.wfile.write(zeros)
        except OSError:
            pass  # the client hung up once it had enough

    def do_GET(self):
        self.log_request_line()
        parts = self.path.split("?", 1)[0].lstrip("/").split("/")
        if len(parts) == 1:
            self.serve_file(parts[0])
        elif len(parts) != 2:
            self.send_error(404)
        elif parts[0] == "redirect":
            self.redirect("/" + parts[1])
        elif parts[0] == "redirect-file":
            self.redirect("file:///etc/passwd")
        elif parts[0] == "slow":
            time.sleep(SLOW_SECONDS)
            self.serve_file(parts[1])
        elif parts[0] == "garbage":
            self.send_body(b"this is not a certificate revocation list\n" * 64)
        elif parts[0] == "huge":
            self.stream_huge()
        else:
            self.send_error(404)


def write_atomically(path, text):
    tmp = f"{path}.tmp{os.getpid()}"
    with open(tmp, "w") as f:
        f.write(text)
    os.rename(tmp, path)


def main():
    parser = argparse.ArgumentParser(description="CRL server for segen's tests")
    parser.add_argument("--root", required=True)
    parser.add_argument("--port-file", required=True)
    parser.add_argument("--log")
    parser.add_argument("--tls-cert")
    parser.add_argument("--tls-key")
    args = parser.parse_args()

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), CrlHandler)
    server.daemon_threads = True
    server.root = args.root
    server.log_lock = threading.Lock()
    server.log_file = open(args.log, "a") if args.log else None
    if args.tls_cert:
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.load_cert_chain(args.tls_cert, args.tls_key)
        server.socket = context.wrap_socket(server.socket, server_side=True)

    dead = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    dead.bind(("127.0.0.1", 0))

    def stop(signum, frame):
        os._exit(0)

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    write_atomically(args.port_file,
                     f"{server.server_address[1]} {dead.getsockname()[1]}\n")
    server.serve_forever()


if __name__ == "__main__":
    sys.exit(main())
