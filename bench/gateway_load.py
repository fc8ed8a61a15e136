#!/usr/bin/env python3
"""Load test of the members gateway with its real single sign-on, on loopback, bounded.

    .venv/bin/python bench/gateway_load.py                      # 40 members, 10 anonymous
    .venv/bin/python bench/gateway_load.py --members 100 --requests 200 --json out.json

Starts what tests/test_gateway_sso.py starts (the members site built from content/, the test
identity provider, Apache with mod_auth_openidc from deploy/apache/, nginx with
deploy/nginx/members.conf.template, all on 127.0.0.1), signs every member in through the
provider's real sign-in form, then has all members and the anonymous visitors (no cookie, a
made-up session cookie, the cookie of a signed-out session) request the site's pages, search
index and assets at once. Prints requests per second, p50/p99 latency and errors for each,
and whether any members byte reached an anonymous answer (tests/gateway/load.py); exits 1 if
anything was wrong. Every request goes to 127.0.0.1, their number is fixed, and a deadline
stops the run.

All clients here share one address, so the gateway's per-address limits are raised for the
run (--rate-limit); in production they apply per member's address.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from tests.gateway.load import run_load  # noqa: E402
from tests.gateway.nginx import Gateway, find_nginx, make_certificate  # noqa: E402
from tests.gateway.sso import (  # noqa: E402
    MEMBER,
    IdentityProvider,
    RelyingParty,
    find_apache,
    find_node,
)
from tests.gateway.sso_client import Browserless  # noqa: E402

HOST = "members.test"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--members", type=int, default=40, help="signed-in clients (40)")
    parser.add_argument("--anonymous", type=int, default=10, help="anonymous clients (10)")
    parser.add_argument("--requests", type=int, default=100,
                        help="requests per client (100)")
    parser.add_argument("--deadline", type=float, default=300, help="seconds at most (300)")
    parser.add_argument("--rate-limit", type=int, default=100000,
                        help="KB_RATE_LIMIT for the run (all clients share 127.0.0.1)")
    parser.add_argument("--json", type=Path, help="write the figures here as JSON")
    args = parser.parse_args(argv)
    if not (1 <= args.members <= 500 and 0 <= args.anonymous <= 500
            and 1 <= args.requests <= 10000):
        parser.error("bounded: 1-500 members, 0-500 anonymous, 1-10000 requests each")
    tools = {"nginx": find_nginx(), "apache2": find_apache(), "node": find_node(),
             "openssl": shutil.which("openssl")}
    missing = [k for k, v in tools.items() if not v]
    if missing:
        print(f"gateway_load: missing {', '.join(missing)} (scripts/system-deps.sh)",
              file=sys.stderr)
        return 2

    os.environ.setdefault("NO_MKDOCS_2_WARNING", "1")
    from kbtools.core.site.plan import Site
    from kbtools.plugin.build import build_site

    with tempfile.TemporaryDirectory(prefix="kb-gateway-load-") as tmp:
        work = Path(tmp)
        site = build_site(REPO / "mkdocs.yml", Site.MEMBERS, site_dir=work / "www" / "members")
        (work / "www" / "current").symlink_to("members")
        paths = sorted("/" + p.relative_to(site).as_posix() for p in site.rglob("*")
                       if p.is_file() and not p.name.startswith("."))
        for sub in ("tls", "idp", "apache", "nginx"):
            (work / sub).mkdir()
        cert, key = make_certificate(work / "tls", HOST)
        node, apache, nginx = (str(tools[k]) for k in ("node", "apache2", "nginx"))
        idp = IdentityProvider(node=node, workdir=work / "idp", server_name=HOST)
        rp = RelyingParty(apache=apache, workdir=work / "apache", server_name=HOST, idp=idp)
        gw = Gateway(nginx=nginx, workdir=work / "nginx",
                     members_root=work / "www" / "current", cert=cert, key=key, auth_port=0,
                     server_name=HOST, rate_limit=args.rate_limit, sign_in_limit=100000,
                     conn_limit=2000)
        try:
            idp.start()
            rp.start()
            gw.auth_port = rp.port
            gw.idp_origin = idp.issuer
            gw.start()
            cookies = []
            for _ in range(args.members):
                member = Browserless(HOST, gw.https_port, cert)
                _url, status, _body = member.sign_in("/", *MEMBER)
                if status != 200:
                    print(f"gateway_load: sign-in failed ({status})", file=sys.stderr)
                    return 1
                cookies.append(member.session_cookie())
            ended = Browserless(HOST, gw.https_port, cert)
            ended.sign_in("/", *MEMBER)
            ended_cookie = ended.session_cookie()
            ended.sign_out()
            kinds: list[str | None] = [None, "__Host-kb_session=made-up-session-id",
                                       ended_cookie]
            anonymous = [kinds[i % 3] for i in range(args.anonymous)]
            print(f"{len(paths)} files, {args.members} members signed in through the provider, "
                  f"{args.anonymous} anonymous, {args.requests} requests each", flush=True)
            report = run_load(port=gw.https_port, host=HOST, cafile=cert, site=site,
                              paths=paths, member_cookies=cookies, anonymous_cookies=anonymous,
                              requests_per_member=args.requests,
                              requests_per_anonymous=args.requests,
                              deadline_seconds=args.deadline)
        finally:
            gw.stop()
            rp.stop()
            idp.stop()
    print(report.text())
    for sample in report.errors()[:10]:
        print(f"  error: {sample.kind} {sample.path}: {sample.detail}")
    for leak in report.leaked[:10]:
        print(f"  LEAK: {leak}")
    if args.json:
        args.json.write_text(json.dumps({
            "members": report.figures("member"), "anonymous": report.figures("anonymous"),
            "leaked": len(report.leaked), "wall_seconds": report.wall}, indent=2) + "\n")
    return 1 if report.errors() or report.leaked else 0


if __name__ == "__main__":
    sys.exit(main())
