"""How long the emulator takes to serve one 1,000-message page with every default property.

Measures two things, median of N runs each:
- in-process: dispatch + JSON encoding of `GET /me/messages?$top=1000` (the emulator's own cost);
- over HTTPS: the same request from an httpx client on a keep-alive connection (adds TLS and HTTP).

Run: `.venv/bin/python benchmarks/emulator_page.py [--runs 20] [--scale 10]`. Target: well under 100 ms.
"""

from __future__ import annotations

import argparse
import statistics
import time

from starlette.datastructures import Headers

from o365sql.emulator import Emulator
from o365sql.emulator.graph.envelope import Ctx
from o365sql.emulator.graph.router import dispatch


def main() -> None:
    """Print the median time per 1,000-message page, in-process and over HTTPS."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=20)
    parser.add_argument("--scale", type=int, default=10)
    args = parser.parse_args()
    with Emulator(data="demo", scale=args.scale) as emu:
        state = emu.state
        d = state.directory
        token, _ = state.tokens.issue_access(
            tenant_id=d.tenant.id,
            client_id=d.public_client_id,
            user_id=d.demo_user.id,
            scopes=frozenset({"Mail.Read"}),
        )
        state.graph.mailbox(d.demo_user.id)  # build the mailbox outside the timing
        headers = Headers({"authorization": f"Bearer {token}"})

        def in_process(skip: int) -> int:
            ctx = Ctx(
                state=state,
                store=state.graph,
                method="GET",
                path="me/messages",
                raw_query=f"$top=1000&$skip={skip}",
                headers=headers,
                body=b"",
            )
            body, _ = dispatch(ctx).encode()
            return len(body)

        sizes = []
        local = []
        for n in range(args.runs):
            start = time.perf_counter()
            sizes.append(in_process((n % 2) * 1000))
            local.append(time.perf_counter() - start)
        remote = []
        with emu.http_client(base_url=emu.graph_url, headers={"Authorization": f"Bearer {token}"}) as client:
            client.get("/me/messages?$top=1")
            for n in range(args.runs):
                start = time.perf_counter()
                r = client.get(f"/me/messages?$top=1000&$skip={(n % 2) * 1000}")
                r.raise_for_status()
                assert len(r.json()["value"]) == 1000
                remote.append(time.perf_counter() - start)
    print(
        f"1,000-message page ({statistics.median(sizes) / 1e6:.2f} MB, all default properties), "
        f"median of {args.runs}:"
    )
    print(f"  in-process dispatch + JSON: {statistics.median(local) * 1000:.1f} ms")
    print(f"  over HTTPS (httpx, keep-alive): {statistics.median(remote) * 1000:.1f} ms")


if __name__ == "__main__":
    main()
