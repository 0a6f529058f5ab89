#!/usr/bin/env python3
"""The demo web app (the blog post's `app`) for the e2e tests and the demo.

GET /      -> {"Age":12,"Msg":"hello world\nTun VPN\n"}  (what Go's json.Marshal of the blog post's Stu
              prints, byte for byte)
GET /blob  -> the file given with --blob (for the checksum transfer test)

Binds only the address it is given (a tunnel address inside a test namespace) and prints
"ready" once it listens, so the caller need not poll.
"""
import argparse
import http.server
import socket
import sys

APP_JSON = b'{"Age":12,"Msg":"hello world\\nTun VPN\\n"}'


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--bind", required=True)
    ap.add_argument("--port", type=int, default=9090)
    ap.add_argument("--blob")
    args = ap.parse_args()

    class Handler(http.server.BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def do_GET(self):
            if self.path == "/":
                self.reply(APP_JSON, "text/plain; charset=utf-8")
            elif self.path == "/blob" and args.blob:
                with open(args.blob, "rb") as f:
                    self.reply(f.read(), "application/octet-stream")
            else:
                self.send_error(404)

        def reply(self, body, ctype):
            self.send_response(200)
            self.send_header("Content-Type", ctype)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, fmt, *a):
            sys.stderr.write("web_app: " + (fmt % a) + "\n")

    class Server(http.server.ThreadingHTTPServer):
        address_family = socket.AF_INET6 if ":" in args.bind else socket.AF_INET
        daemon_threads = True

    server = Server((args.bind, args.port), Handler)
    print("ready", flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass


if __name__ == "__main__":
    main()
