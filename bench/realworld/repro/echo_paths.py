#!/usr/bin/env python3
"""A loopback server that answers every request 200 {} and prints the method and the raw request
target it received, one a line: what a client really sent, before any normalisation of ours.
Usage: echo_paths.py PORT"""
import http.server
import sys
import threading

LOCK = threading.Lock()


class Handler(http.server.BaseHTTPRequestHandler):
    def answer(self):
        with LOCK:
            print(self.command, self.path, flush=True)
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", "2")
        self.end_headers()
        self.wfile.write(b"{}")

    do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = do_HEAD = do_OPTIONS = do_TRACE = answer

    def log_message(self, *args):
        pass


http.server.ThreadingHTTPServer(("127.0.0.1", int(sys.argv[1])), Handler).serve_forever()
