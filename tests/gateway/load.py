"""A bounded load test of the members gateway on loopback: many signed-in members and some
anonymous visitors at once, every answer checked.

Used by bench/gateway_load.py (which starts the whole stack and prints the figures) and by
tests/test_gateway_sso.py (a short run on the test stack). Traffic goes to 127.0.0.1 only;
the number of requests is fixed in advance and a deadline stops every worker.

What is checked on every answer:
* a member gets 200 and exactly the file (the per-response nonce aside);
* an anonymous request (no cookie, a made-up cookie, an ended session's cookie) gets the
  sign-in redirect or a bare 401, and its body holds no byte sequence of the members site:
  no 32-byte run of any file served to members appears in any anonymous answer.
"""

from __future__ import annotations

import http.client
import re
import ssl
import statistics
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

NONCE = re.compile(rb' nonce="[0-9a-f]{32}"')
RUN = 32  # length of the byte runs looked for in anonymous answers


@dataclass
class Sample:
    kind: str          # "member" or "anonymous"
    path: str
    status: int
    seconds: float
    ok: bool
    detail: str = ""


@dataclass
class Report:
    samples: list[Sample] = field(default_factory=list)
    wall: float = 0.0
    leaked: list[str] = field(default_factory=list)

    def of(self, kind: str) -> list[Sample]:
        return [s for s in self.samples if s.kind == kind]

    def errors(self, kind: str | None = None) -> list[Sample]:
        return [s for s in self.samples if not s.ok and (kind is None or s.kind == kind)]

    def figures(self, kind: str) -> dict[str, float]:
        samples = self.of(kind)
        if not samples:
            return {"requests": 0}
        times = sorted(s.seconds for s in samples)
        p99 = times[min(len(times) - 1, round(0.99 * len(times)) - 1)]
        return {"requests": len(samples), "rate": len(samples) / self.wall if self.wall else 0,
                "p50_ms": 1000 * statistics.median(times), "p99_ms": 1000 * p99,
                "max_ms": 1000 * times[-1], "errors": len(self.errors(kind))}

    def text(self) -> str:
        lines = [f"wall time {self.wall:.1f} s"]
        for kind in ("member", "anonymous"):
            f = self.figures(kind)
            if f["requests"]:
                lines.append(f"{kind:9}  {f['requests']:6.0f} requests  {f['rate']:7.1f}/s  "
                             f"p50 {f['p50_ms']:6.1f} ms  p99 {f['p99_ms']:6.1f} ms  "
                             f"max {f['max_ms']:6.1f} ms  errors {f['errors']:.0f}")
        lines.append(f"members bytes in anonymous answers: {len(self.leaked)}")
        return "\n".join(lines)


class _Conn:
    """One keep-alive HTTPS connection to the gateway, reopened when nginx closes it."""

    def __init__(self, port: int, host: str, context: ssl.SSLContext) -> None:
        self.port, self.host, self.context = port, host, context
        self.conn: http.client.HTTPSConnection | None = None

    def get(self, path: str, headers: dict[str, str]) -> tuple[int, dict[str, str], bytes]:
        for attempt in (1, 2):
            if self.conn is None:
                self.conn = http.client.HTTPSConnection("127.0.0.1", self.port, timeout=30,
                                                        context=self.context)
            try:
                self.conn.request("GET", path, headers={"Host": self.host, **headers})
                resp = self.conn.getresponse()
                body = resp.read()
            except (http.client.RemoteDisconnected, ConnectionResetError, BrokenPipeError):
                self.close()
                if attempt == 2:
                    raise
                continue
            if resp.will_close:
                self.close()
            return resp.status, {k.lower(): v for k, v in resp.headers.items()}, body
        raise AssertionError("unreachable")

    def close(self) -> None:
        if self.conn is not None:
            self.conn.close()
            self.conn = None


def _runs(data: bytes) -> set[bytes]:
    return {data[i:i + RUN] for i in range(0, max(len(data) - RUN + 1, 1), RUN // 2)}


def run_load(*, port: int, host: str, cafile: Path, site: Path, paths: list[str],
             member_cookies: list[str], anonymous_cookies: list[str | None],
             requests_per_member: int, requests_per_anonymous: int,
             deadline_seconds: float = 120.0) -> Report:
    """Each member cookie and each anonymous cookie gets its own thread and connection;
    every thread makes its fixed number of requests over ``paths`` (URL paths of files
    under ``site``), or stops at the deadline."""
    context = ssl.create_default_context(cafile=str(cafile))
    files = {p: (site / p.lstrip("/")).read_bytes() for p in paths}
    report = Report()
    lock = threading.Lock()
    deadline = time.monotonic() + deadline_seconds
    anonymous_bodies: list[tuple[str, bytes]] = []

    def member(index: int, cookie: str) -> None:
        c = _Conn(port, host, context)
        try:
            for i in range(requests_per_member):
                if time.monotonic() > deadline:
                    break
                path = paths[(index * 7 + i) % len(paths)]
                t0 = time.perf_counter()
                try:
                    status, _h, body = c.get(path, {"Cookie": cookie})
                except (OSError, http.client.HTTPException) as e:
                    sample = Sample("member", path, 0, time.perf_counter() - t0, False, repr(e))
                else:
                    ok = status == 200 and NONCE.sub(b"", body) == files[path]
                    sample = Sample("member", path, status, time.perf_counter() - t0, ok,
                                    "" if ok else f"{status}, {len(body)} bytes")
                with lock:
                    report.samples.append(sample)
        finally:
            c.close()

    def anonymous(index: int, cookie: str | None) -> None:
        c = _Conn(port, host, context)
        modes = ["navigate", "cors", ""]
        try:
            for i in range(requests_per_anonymous):
                if time.monotonic() > deadline:
                    break
                path = paths[(index * 11 + i) % len(paths)]
                headers = {"Sec-Fetch-Mode": modes[i % 3]} if modes[i % 3] else {}
                if cookie:
                    headers["Cookie"] = cookie
                t0 = time.perf_counter()
                try:
                    status, h, body = c.get(path, headers)
                except (OSError, http.client.HTTPException) as e:
                    sample = Sample("anonymous", path, 0, time.perf_counter() - t0, False,
                                    repr(e))
                else:
                    refused = (status == 302 and h.get("location", "").startswith(
                        "/oauth2/start?rd=")) or status == 401
                    ok = refused and len(body) < 1024
                    sample = Sample("anonymous", path, status, time.perf_counter() - t0, ok,
                                    "" if ok else f"{status}, {len(body)} bytes")
                    with lock:
                        anonymous_bodies.append((path, body))
                with lock:
                    report.samples.append(sample)
        finally:
            c.close()

    threads = [threading.Thread(target=member, args=(n, ck), daemon=True)
               for n, ck in enumerate(member_cookies)]
    threads += [threading.Thread(target=anonymous, args=(n, ck), daemon=True)
                for n, ck in enumerate(anonymous_cookies)]
    started = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join(max(1.0, deadline - time.monotonic() + 5))
    report.wall = time.perf_counter() - started
    # No members byte in any anonymous answer: not one 32-byte run of any file served.
    members_runs: set[bytes] = set()
    for data in files.values():
        members_runs |= _runs(data)
    for path, body in anonymous_bodies:
        for i in range(0, max(len(body) - RUN + 1, 0) + 1):
            if body[i:i + RUN] in members_runs:
                report.leaked.append(f"{path}: {body[i:i + RUN]!r}")
                break
    return report
