#!/usr/bin/env python3
"""How long `jxjy serve` takes from saving a page to telling the open page to reload.

Generates N pages (../shared/bench/gen_corpus.py when present, else scripts/gen-bench-site.py),
starts `jxjy serve` on them, listens to the reload stream (server-sent events, as the page's
reload script does), then edits one page ROUNDS times and reports, per edit, the time from the
write to the `reload` event, and the median. Issue 12's target: ≤ 100 ms at 10,000 pages.

Usage: scripts/bench-serve.py [PAGES=10000] [ROUNDS=7]
The binary: $JXJY_BIN, else $CARGO_TARGET_DIR/release/jxjy, else target/release/jxjy
(build it with `cargo build --release -p jxjy-site`).
"""
import http.client
import select
import os
import pathlib
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time

ROOT = pathlib.Path(__file__).resolve().parent.parent
pages = int(sys.argv[1]) if len(sys.argv) > 1 else 10000
rounds = int(sys.argv[2]) if len(sys.argv) > 2 else 7
jxjy = pathlib.Path(os.environ.get("JXJY_BIN") or pathlib.Path(os.environ.get("CARGO_TARGET_DIR") or ROOT / "target") / "release/jxjy")
if not jxjy.is_file():
    sys.exit(f"no {jxjy}: run cargo build --release -p jxjy-site (or set JXJY_BIN)")
work = pathlib.Path(tempfile.mkdtemp(prefix="jxjy-bench-serve-"))
shared = ROOT.parent / "shared/bench/gen_corpus.py"
if shared.exists():
    subprocess.run([sys.executable, shared, str(pages), work / "corpus", ROOT / "content/2020/policy.toml"], check=True, stdout=subprocess.DEVNULL)
else:
    subprocess.run([sys.executable, ROOT / "scripts/gen-bench-site.py", str(pages), work / "corpus"], check=True)
content = work / "corpus/jxjy"
page = sorted(content.glob("2020/**/*.md"))[-1]

with socket.socket() as s:
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
log = open(work / "serve.log", "w")  # a file, not a pipe: 10,000 warnings would fill a pipe and stall it
server = subprocess.Popen([jxjy, "serve", "--content", content, "--out", work / "out", "--port", str(port)],
                          stdout=subprocess.DEVNULL, stderr=log)
try:
    started = time.monotonic()
    while True:  # the first build
        try:
            c = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
            c.request("GET", "/")
            if c.getresponse().status == 200:
                break
        except OSError:
            pass
        if server.poll() is not None or time.monotonic() - started > 300:
            sys.exit("jxjy serve did not start; see " + str(work / "serve.log"))
        time.sleep(0.05)
    first = time.monotonic() - started
    # The reload stream, read from a plain socket so that events already sent can be drained.
    sock = socket.create_connection(("127.0.0.1", port))
    sock.sendall(f"GET /__jxjy/reload?v=999999999 HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n"
                 "Accept: text/event-stream\r\n\r\n".encode())
    pending = b""

    def reload_within(wait):
        """Whether a reload event arrives within `wait` seconds (consumes it)."""
        global pending
        deadline = time.monotonic() + wait
        while b"event: reload" not in pending:
            left = deadline - time.monotonic()
            if left <= 0 or not select.select([sock], [], [], left)[0]:
                return False
            chunk = sock.recv(65536)
            if not chunk:
                sys.exit("the reload stream ended")
            pending += chunk
        pending = pending.split(b"event: reload", 1)[1]
        return True

    def drain():
        """Consumes events already sent (a rebuild the watcher started before the edit)."""
        while reload_within(0.3):
            pass

    def next_reload():
        if not reload_within(120):
            sys.exit("no reload within 120 s")

    original = page.read_text(encoding="utf-8")
    times = []
    time.sleep(1)
    for i in range(rounds):
        time.sleep(0.5)  # past the watcher's debounce of the previous edit
        drain()
        t0 = time.monotonic()
        page.write_text(original + f"\n\n第{i}次修改。\n", encoding="utf-8")
        next_reload()
        times.append((time.monotonic() - t0) * 1000)
    page.write_text(original, encoding="utf-8")
    print(f"{pages} pages: first build served after {first:.1f} s; save → reload event: "
          f"median {statistics.median(times):.0f} ms of {', '.join(f'{t:.0f}' for t in times)} (target ≤ 100 ms; {jxjy})")
finally:
    server.terminate()
    server.wait()
    # The corpus and its build are half a gigabyte at 10,000 pages.
    shutil.rmtree(work, ignore_errors=True)
