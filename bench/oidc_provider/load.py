"""Token endpoint throughput: ``refresh_token`` and ``authorization_code`` grants.

On demand only: never run in CI, never collected by pytest (no ``test_`` prefix, and
pytest's testpaths is ``tests``). Meant for the 2-core machine: the OpenID provider under
test pinned to core 0 (``taskset -c 0``), this load generator pinned to core 1
(``taskset -c 1``). See README.md next to this file.

What it does:

1. Mint, over real HTTP, what the token requests need: authorization codes obtained through
   the target's authorization endpoint (PKCE S256, ``prompt=consent``, scope
   ``openid offline_access``), and for ``--mode refresh`` refresh tokens obtained by
   exchanging such codes (one per refresh chain).
2. Fire token requests (``client_secret_basic``) from ``--workers`` threads, each with its
   own keep-alive connection, for ``--warmup`` seconds that are not counted and then
   ``--duration`` seconds that are.

   * ``refresh``: each worker owns some of the ``--chains`` refresh token chains and uses
     them in turn, always with the newest refresh token of the chain (the target rotates
     them; a response without a new refresh token counts as an error and ends that chain).
   * ``code``: each request exchanges one fresh code with its ``code_verifier``. Codes are
     minted before the measurement; how many comes from the warm-up rate (or ``--codes``).
     Running out before the end of the window makes the run fail.

3. Report requests/s over the window (requests that completed inside it), p50/p90/p99
   latency, errors, and where the CPU went: how busy the provider's process was (found by
   its listening port, or ``--server-pid``), its CPU time per request, how busy this load
   generator was (if it is close to one full core, the provider was not the bottleneck and
   the rate is a lower bound), and how much CPU other processes took on each core.

The target is a :class:`Target`: base URL, endpoint paths, client credentials and a
pluggable :data:`CodeGetter` that turns an authorization request into a code. Targets:

* ``oidc-provider``: panva's oidc-provider run by ``server.mjs``; its benchmark-only
  ``/interaction/<uid>`` route logs in and consents by itself, so a code is just a matter of
  following redirects (:func:`get_code_by_following_redirects`).
* ``hub``: the accounts hub. NOT IMPLEMENTED YET: fill in :func:`hub_get_code` and the
  endpoint paths in :data:`TARGETS` (search for ``TODO(hub)``).

Usage::

    taskset -c 1 /work/main/.venv/bin/python load.py --mode refresh
    taskset -c 1 /work/main/.venv/bin/python load.py --mode code --json

Exit status: 0 when every counted request succeeded; 1 when any failed or the run could
not be completed (e.g. the code pool ran out); 2 on bad arguments.
"""

from __future__ import annotations

import argparse
import base64
import contextlib
import hashlib
import json
import math
import os
import platform
import secrets
import sys
import threading
import time
from collections import deque
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, quote, urlencode, urljoin, urlsplit

import httpx

TIMEOUT = httpx.Timeout(30.0)


# --------------------------------------------------------------------------- targets


@dataclass(frozen=True)
class AuthorizationRequest:
    """The parameters of one authorization request, and the PKCE verifier behind it."""

    state: str
    nonce: str
    code_verifier: str

    @property
    def code_challenge(self) -> str:
        digest = hashlib.sha256(self.code_verifier.encode("ascii")).digest()
        return base64.urlsafe_b64encode(digest).rstrip(b"=").decode("ascii")

    @classmethod
    def new(cls) -> AuthorizationRequest:
        return cls(
            state=secrets.token_urlsafe(16),
            nonce=secrets.token_urlsafe(16),
            code_verifier=secrets.token_urlsafe(48),  # 64 characters, within 43..128
        )


# (target, a client of its own with its own cookie jar, the request) -> authorization code.
# One http client is used by one thread at a time and for many codes, so a getter may log
# in once and keep the session in the client's cookies.
CodeGetter = Callable[["Target", httpx.Client, AuthorizationRequest], str]


@dataclass(frozen=True)
class Target:
    name: str
    base_url: str
    authorize_path: str
    token_path: str
    client_id: str
    client_secret: str
    redirect_uri: str
    scope: str
    get_code: CodeGetter
    extra_authorize_params: dict[str, str] = field(default_factory=dict)

    @property
    def token_url(self) -> str:
        return urljoin(self.base_url, self.token_path)

    @property
    def authorize_url(self) -> str:
        return urljoin(self.base_url, self.authorize_path)

    def authorize_params(self, request: AuthorizationRequest) -> dict[str, str]:
        return {
            "response_type": "code",
            "client_id": self.client_id,
            "redirect_uri": self.redirect_uri,
            "scope": self.scope,
            "state": request.state,
            "nonce": request.nonce,
            "code_challenge": request.code_challenge,
            "code_challenge_method": "S256",
            **self.extra_authorize_params,
        }

    def basic_auth_header(self) -> str:
        # RFC 6749 section 2.3.1: form-urlencode id and secret before base64.
        raw = f"{quote(self.client_id, safe='')}:{quote(self.client_secret, safe='')}"
        return "Basic " + base64.b64encode(raw.encode("utf-8")).decode("ascii")


class MintError(RuntimeError):
    pass


def code_from_callback(target: Target, location: str, request: AuthorizationRequest) -> str:
    """The code of a redirect to the client's redirect URI (errors and a wrong state raise)."""
    query = parse_qs(urlsplit(location).query)
    if "error" in query:
        raise MintError(f"authorization error: {query['error'][0]} "
                        f"{query.get('error_description', [''])[0]}")
    if query.get("state", [None])[0] != request.state:
        raise MintError(f"state mismatch in {location}")
    codes = query.get("code")
    if not codes:
        raise MintError(f"no code in {location}")
    return codes[0]


def get_code_by_following_redirects(
    target: Target, client: httpx.Client, request: AuthorizationRequest
) -> str:
    """GET the authorization endpoint and follow redirects (keeping cookies) until one goes
    to the client's redirect URI. Works when the target finishes login and consent on its
    own, like server.mjs does on ``/interaction/<uid>``."""
    url = target.authorize_url + "?" + urlencode(target.authorize_params(request))
    for _ in range(10):
        response = client.get(url)
        if response.status_code not in (302, 303, 307):
            raise MintError(f"GET {url} answered {response.status_code}: {response.text[:300]}")
        location = urljoin(url, response.headers["location"])
        if location.startswith(target.redirect_uri):
            return code_from_callback(target, location, request)
        url = location
    raise MintError("too many redirects before reaching the redirect URI")


def hub_get_code(target: Target, client: httpx.Client, request: AuthorizationRequest) -> str:
    """TODO(hub): obtain an authorization code from the accounts hub.

    What the main developer has to fill in (everything else in this script is generic):

    * Log in once per ``client`` (its cookie jar keeps the hub session): a password login
      costs an argon2id verification (~170 ms of the hub's core), so do it only when the
      client has no session yet, e.g. ``if "ac_session" not in client.cookies``. The test
      account and the member app (client id/secret/redirect URI, allowed to use
      ``refresh_token``) must exist beforehand, e.g. created by a setup step or CLI.
    * GET the authorize URL (``target.authorize_url`` + ``target.authorize_params(request)``;
      or PAR first if the hub requires it), go through whatever consent/link step the hub
      shows (CSRF token from the page, POST the decision), and follow redirects until one
      goes to ``target.redirect_uri``; then ``return code_from_callback(target, location,
      request)``.
    * Set the hub's real paths and the client defaults in ``TARGETS["hub"]`` below.
    """
    raise NotImplementedError(
        "TODO(hub): implement hub_get_code() in bench/oidc_provider/load.py "
        "(log in once per client, authorize + consent, return the code)"
    )


@dataclass(frozen=True)
class TargetDefaults:
    base_url: str
    authorize_path: str
    token_path: str
    client_id: str
    client_secret: str
    redirect_uri: str
    get_code: CodeGetter
    extra_authorize_params: dict[str, str]


TARGETS: dict[str, TargetDefaults] = {
    # Matches server.mjs (its CLIENT_ID / CLIENT_SECRET / REDIRECT_URI defaults).
    "oidc-provider": TargetDefaults(
        base_url="http://127.0.0.1:9100",
        authorize_path="/auth",
        token_path="/token",
        client_id="bench-client",
        client_secret="bench-secret-not-for-production",
        redirect_uri="http://127.0.0.1:1/cb",
        get_code=get_code_by_following_redirects,
        # oidc-provider only grants offline_access (hence a refresh token) with consent.
        extra_authorize_params={"prompt": "consent"},
    ),
    # TODO(hub): real paths and the member app registered for the benchmark.
    "hub": TargetDefaults(
        base_url="http://127.0.0.1:8000",
        authorize_path="/TODO-authorize-path",
        token_path="/TODO-token-path",
        client_id="TODO-client-id",
        client_secret="TODO-client-secret",
        redirect_uri="http://127.0.0.1:1/cb",
        get_code=hub_get_code,
        extra_authorize_params={"prompt": "consent"},
    ),
}


# --------------------------------------------------------------------------- token requests


@dataclass
class Outcome:
    """One token request: when it started and ended (perf_counter), and whether it
    succeeded (``error`` is None) or why not."""

    start: float
    end: float
    error: str | None


class TokenClient:
    """One keep-alive connection to the token endpoint, used by one thread."""

    def __init__(self, target: Target) -> None:
        self.target = target
        self.url = target.token_url
        self.http = httpx.Client(timeout=TIMEOUT, follow_redirects=False)
        self.headers = {
            "Authorization": target.basic_auth_header(),
            "Content-Type": "application/x-www-form-urlencoded",
            "Accept": "application/json",
        }

    def close(self) -> None:
        self.http.close()

    def post(self, form: dict[str, str]) -> tuple[dict[str, Any] | None, str | None]:
        """(token response, None) on success, (None, error) otherwise."""
        try:
            response = self.http.post(self.url, content=urlencode(form), headers=self.headers)
        except httpx.HTTPError as exc:
            return None, f"{type(exc).__name__}: {exc}"
        if response.status_code != 200:
            return None, f"HTTP {response.status_code}: {response.text[:200]}"
        try:
            body = response.json()
        except ValueError:
            return None, f"not JSON: {response.text[:200]}"
        if not body.get("access_token"):
            return None, f"no access_token: {str(body)[:200]}"
        return body, None

    def exchange_code(self, code: str, verifier: str) -> tuple[dict[str, Any] | None, str | None]:
        body, error = self.post({
            "grant_type": "authorization_code",
            "code": code,
            "redirect_uri": self.target.redirect_uri,
            "code_verifier": verifier,
        })
        if body is not None and "openid" in self.target.scope.split() and not body.get("id_token"):
            return None, "no id_token in the code grant's response"
        return body, error

    def refresh(self, refresh_token: str) -> tuple[dict[str, Any] | None, str | None]:
        body, error = self.post({"grant_type": "refresh_token", "refresh_token": refresh_token})
        if body is None:
            return None, error
        new = body.get("refresh_token")
        if not new or new == refresh_token:
            return None, "the refresh token was not rotated"
        return body, None


def jwt_alg(token: str) -> str:
    header = token.split(".", 1)[0]
    header += "=" * (-len(header) % 4)
    return str(json.loads(base64.urlsafe_b64decode(header)).get("alg"))


# --------------------------------------------------------------------------- minting


@dataclass(frozen=True)
class Code:
    code: str
    verifier: str


def mint_codes(target: Target, count: int, threads: int) -> list[Code]:
    """``count`` fresh codes, obtained by ``threads`` clients in parallel (each with its own
    cookie jar, hence its own login session at the target)."""
    if count <= 0:
        return []
    results: list[Code] = []
    lock = threading.Lock()
    failures: list[BaseException] = []
    remaining = [count]

    def run() -> None:
        with httpx.Client(timeout=TIMEOUT, follow_redirects=False) as client:
            while True:
                with lock:
                    if remaining[0] <= 0 or failures:
                        return
                    remaining[0] -= 1
                request = AuthorizationRequest.new()
                try:
                    code = target.get_code(target, client, request)
                except BaseException as exc:
                    with lock:
                        failures.append(exc)
                    return
                with lock:
                    results.append(Code(code, request.code_verifier))

    workers = [threading.Thread(target=run, daemon=True) for _ in range(max(1, threads))]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    if failures:
        raise failures[0]
    return results


def mint_refresh_tokens(target: Target, count: int, threads: int) -> list[str]:
    """``count`` refresh tokens, each the start of its own chain (its own grant)."""
    codes = mint_codes(target, count, threads)
    client = TokenClient(target)
    try:
        tokens = []
        for code in codes:
            body, error = client.exchange_code(code.code, code.verifier)
            if body is None:
                raise MintError(f"code exchange failed: {error}")
            if not body.get("refresh_token"):
                raise MintError("the code grant issued no refresh token "
                                f"(scope {target.scope!r}): {sorted(body)}")
            tokens.append(body["refresh_token"])
        return tokens
    finally:
        client.close()


# --------------------------------------------------------------------------- CPU accounting

CLOCK_TICK = os.sysconf("SC_CLK_TCK")


def process_cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / CLOCK_TICK  # utime, stime


def busy_seconds_per_core() -> dict[int, float]:
    busy = {}
    for line in Path("/proc/stat").read_text().splitlines():
        name, *values = line.split()
        if name.startswith("cpu") and name[3:].isdigit():
            ticks = [int(v) for v in values[:8]]
            busy[int(name[3:])] = (sum(ticks) - ticks[3] - ticks[4]) / CLOCK_TICK
    return busy


def pid_listening_on(port: int) -> int | None:
    """The local process with a listening TCP socket on ``port`` (Linux /proc), if any."""
    inodes = set()
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        with contextlib.suppress(OSError):
            for line in Path(table).read_text().splitlines()[1:]:
                parts = line.split()
                if parts[3] == "0A" and int(parts[1].rsplit(":", 1)[1], 16) == port:
                    inodes.add(parts[9])
    if not inodes:
        return None
    wanted = {f"socket:[{inode}]" for inode in inodes}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        with contextlib.suppress(OSError):
            for fd in (entry / "fd").iterdir():
                with contextlib.suppress(OSError):
                    if os.readlink(fd) in wanted:
                        return int(entry.name)
    return None


class CpuWindow:
    """CPU used between start() and stop(): by the server, by this process, per core."""

    def __init__(self, server_pid: int | None) -> None:
        self.server_pid = server_pid

    def _sample(self) -> tuple[float, float | None, float, dict[int, float]]:
        server = None
        if self.server_pid is not None:
            with contextlib.suppress(OSError):
                server = process_cpu_seconds(self.server_pid)
        return time.perf_counter(), server, time.process_time(), busy_seconds_per_core()

    def start(self) -> None:
        self.first = self._sample()

    def stop(self) -> dict[str, Any]:
        wall1, server1, own1, busy1 = self._sample()
        wall0, server0, own0, busy0 = self.first
        wall = wall1 - wall0
        server = None if server0 is None or server1 is None else server1 - server0
        own = own1 - own0
        affinity = sorted(os.sched_getaffinity(0))
        per_core = {core: (busy1[core] - busy0[core]) / wall for core in busy1}
        # Other processes on each core: core busy minus what we can account for. Only
        # meaningful when the server and this process are pinned to one core each.
        other = {}
        for core, share in per_core.items():
            mine = own / wall if affinity == [core] else 0.0
            theirs = (server or 0.0) / wall if core == 0 else 0.0
            other[core] = max(0.0, share - mine - theirs)
        return {
            "wall_s": wall,
            "server_cpu_s": server,
            "client_cpu_s": own,
            "core_busy": per_core,
            "other_busy": other,
        }


# --------------------------------------------------------------------------- load


@dataclass
class Run:
    """Shared state of one load run."""

    stop_at: float = math.inf
    stop: threading.Event = field(default_factory=threading.Event)
    outcomes: list[list[Outcome]] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def note(self, text: str) -> None:
        with self.lock:
            if len(self.notes) < 20:
                self.notes.append(text)


def refresh_worker(target: Target, chains: list[str], run: Run, out: list[Outcome],
                   ready: threading.Barrier) -> None:
    # ``chains`` is this worker's own list, updated in place so that it always holds the
    # newest refresh token of each chain, across the warm-up and the measurement.
    client = TokenClient(target)
    try:
        ready.wait()
        index = 0
        while not run.stop.is_set() and chains:
            index %= len(chains)
            start = time.perf_counter()
            body, error = client.refresh(chains[index])
            out.append(Outcome(start, time.perf_counter(), error))
            if body is None:
                run.note(f"refresh chain dropped: {error}")
                chains.pop(index)  # this chain is broken (maybe revoked); keep the others
                continue
            chains[index] = body["refresh_token"]
            index += 1
        if not chains:
            run.note("a worker lost all its refresh chains and stopped")
    finally:
        client.close()


def code_worker(target: Target, pool: deque[Code], run: Run, out: list[Outcome],
                ready: threading.Barrier) -> None:
    client = TokenClient(target)
    try:
        ready.wait()
        while not run.stop.is_set():
            try:
                code = pool.pop()
            except IndexError:
                run.note(f"code pool exhausted at {time.perf_counter():.3f}")
                return
            start = time.perf_counter()
            _, error = client.exchange_code(code.code, code.verifier)
            out.append(Outcome(start, time.perf_counter(), error))
    finally:
        client.close()


def run_load(workers: Iterable[Callable[[Run, list[Outcome], threading.Barrier], None]],
             seconds: float) -> tuple[Run, float, float]:
    """Run the workers for ``seconds``; (run, start, end) with perf_counter times."""
    functions = list(workers)
    run = Run()
    ready = threading.Barrier(len(functions) + 1)
    threads = []
    for function in functions:
        out: list[Outcome] = []
        run.outcomes.append(out)
        thread = threading.Thread(target=function, args=(run, out, ready), daemon=True)
        thread.start()
        threads.append(thread)
    ready.wait()
    start = time.perf_counter()
    time.sleep(seconds)
    run.stop.set()
    end = time.perf_counter()
    for thread in threads:
        thread.join(timeout=60)
    return run, start, end


def percentile(values: list[float], pct: float) -> float:
    """Nearest-rank percentile of sorted ``values``; NaN when empty."""
    if not values:
        return float("nan")
    rank = max(1, min(len(values), math.ceil(pct * len(values) / 100)))
    return values[rank - 1]


def summarize(outcomes: list[Outcome], start: float, end: float) -> dict[str, Any]:
    counted = [o for o in outcomes if start <= o.end <= end]
    ok = sorted((o.end - o.start) * 1000 for o in counted if o.error is None)
    errors = [o.error for o in counted if o.error is not None]
    window = end - start
    return {
        "window_s": round(window, 3),
        "requests": len(counted),
        "ok": len(ok),
        "errors": len(errors),
        "error_samples": sorted(set(errors))[:5],
        "rps": round(len(ok) / window, 1) if window > 0 else 0.0,
        "latency_ms": {
            "p50": round(percentile(ok, 50), 2),
            "p90": round(percentile(ok, 90), 2),
            "p99": round(percentile(ok, 99), 2),
            "max": round(ok[-1], 2) if ok else float("nan"),
            "mean": round(sum(ok) / len(ok), 2) if ok else float("nan"),
        },
    }


# --------------------------------------------------------------------------- main


def build_target(args: argparse.Namespace) -> Target:
    defaults = TARGETS[args.target]
    extra = dict(defaults.extra_authorize_params)
    if args.prompt is not None:
        extra = {k: v for k, v in extra.items() if k != "prompt"}
        if args.prompt:
            extra["prompt"] = args.prompt
    return Target(
        name=args.target,
        base_url=args.base_url or defaults.base_url,
        authorize_path=args.authorize_path or defaults.authorize_path,
        token_path=args.token_path or defaults.token_path,
        client_id=args.client_id or defaults.client_id,
        client_secret=args.client_secret or defaults.client_secret,
        redirect_uri=args.redirect_uri or defaults.redirect_uri,
        scope=args.scope,
        get_code=defaults.get_code,
        extra_authorize_params=extra,
    )


def target_info(target: Target) -> dict[str, Any]:
    """What the target says about itself (server.mjs's /bench/stats), if anything."""
    if target.name != "oidc-provider":
        return {}
    with contextlib.suppress(httpx.HTTPError, ValueError):
        response = httpx.get(urljoin(target.base_url, "/bench/stats"), timeout=TIMEOUT)
        if response.status_code == 200:
            return dict(response.json())
    return {}


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--mode", choices=("refresh", "code"), default="refresh")
    parser.add_argument("--target", choices=sorted(TARGETS), default="oidc-provider",
                        help="which provider (sets the defaults below); default oidc-provider")
    parser.add_argument("--base-url", help="e.g. http://127.0.0.1:9100")
    parser.add_argument("--authorize-path")
    parser.add_argument("--token-path")
    parser.add_argument("--client-id")
    parser.add_argument("--client-secret")
    parser.add_argument("--redirect-uri")
    parser.add_argument("--scope", default="openid offline_access")
    parser.add_argument("--prompt", help="prompt parameter of the authorization requests "
                        "(default: the target's, 'consent'); '' to send none")
    parser.add_argument("--workers", type=int, default=4, help="concurrent requests (4)")
    parser.add_argument("--duration", type=float, default=15.0, help="counted seconds (15)")
    parser.add_argument("--warmup", type=float, default=3.0, help="uncounted seconds (3)")
    parser.add_argument("--chains", type=int, default=64,
                        help="refresh mode: refresh token chains, shared out among the workers")
    parser.add_argument("--codes", type=int, default=0,
                        help="code mode: codes to mint for the counted window "
                        "(default: 1.5 x the warm-up rate x duration)")
    parser.add_argument("--warmup-codes", type=int, default=1500,
                        help="code mode: codes minted for the warm-up (1500)")
    parser.add_argument("--mint-threads", type=int, default=4)
    parser.add_argument("--server-pid", type=int,
                        help="the provider's pid (default: whoever listens on the port)")
    parser.add_argument("--json", action="store_true", help="print the result as JSON")
    args = parser.parse_args(argv)
    if args.workers < 1 or args.duration <= 0 or args.warmup < 0 or args.chains < args.workers:
        parser.error("need --workers >= 1, --duration > 0, --warmup >= 0, --chains >= --workers")
    return args


def log(text: str) -> None:
    print(text, file=sys.stderr, flush=True)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    target = build_target(args)
    info = target_info(target)
    port = urlsplit(target.base_url).port or 80
    server_pid = args.server_pid or info.get("pid") or pid_listening_on(port)

    t0 = time.perf_counter()
    if args.mode == "refresh":
        log(f"minting {args.chains} refresh token chains at {target.base_url} ...")
        tokens = mint_refresh_tokens(target, args.chains, args.mint_threads)
        shares = [tokens[i :: args.workers] for i in range(args.workers)]

        def workers() -> list[Callable[[Run, list[Outcome], threading.Barrier], None]]:
            return [
                lambda run, out, ready, mine=mine: refresh_worker(target, mine, run, out, ready)
                for mine in shares
            ]

        log(f"  done in {time.perf_counter() - t0:.1f} s; warm-up {args.warmup:g} s ...")
        if args.warmup:
            warm, _, _ = run_load(workers(), args.warmup)
            if warm.notes:
                log("  warm-up notes: " + "; ".join(warm.notes[:3]))
        pool_size = None
    else:
        log(f"minting {args.warmup_codes} codes for the warm-up at {target.base_url} ...")
        pool = deque(mint_codes(target, args.warmup_codes if args.warmup else 0,
                                args.mint_threads))
        log(f"  done in {time.perf_counter() - t0:.1f} s; warm-up {args.warmup:g} s ...")

        def workers() -> list[Callable[[Run, list[Outcome], threading.Barrier], None]]:
            return [
                lambda run, out, ready: code_worker(target, pool, run, out, ready)
                for _ in range(args.workers)
            ]

        codes = args.codes
        if args.warmup:
            warm, wstart, wend = run_load(workers(), args.warmup)
            done = [o for out in warm.outcomes for o in out]
            last = max((o.end for o in done), default=wend)
            rate = len(done) / max(1e-3, min(wend, last) - wstart)
            if warm.notes:
                log("  warm-up notes: " + "; ".join(warm.notes[:3]))
            log(f"  warm-up rate {rate:.0f}/s")
            codes = codes or math.ceil(1.5 * rate * args.duration) + 200
        elif not codes:
            log("--warmup 0 needs --codes")
            return 2
        t1 = time.perf_counter()
        log(f"minting {codes} codes for the counted window ...")
        pool = deque(mint_codes(target, codes, args.mint_threads))
        log(f"  done in {time.perf_counter() - t1:.1f} s")
        pool_size = len(pool)

    log(f"measuring {args.duration:g} s with {args.workers} workers ...")
    cpu = CpuWindow(server_pid)
    cpu.start()
    run, start, end = run_load(workers(), args.duration)
    usage = cpu.stop()
    outcomes = [o for out in run.outcomes for o in out]
    summary = summarize(outcomes, start, end)

    exhausted = args.mode == "code" and any("pool exhausted" in n for n in run.notes)
    wall = usage["wall_s"]
    server_cpu = usage["server_cpu_s"]
    result: dict[str, Any] = {
        "target": target.name,
        "mode": args.mode,
        "grant_type": "refresh_token" if args.mode == "refresh" else "authorization_code",
        "base_url": target.base_url,
        "token_endpoint": target.token_url,
        "scope": target.scope,
        "client_auth": "client_secret_basic",
        "workers": args.workers,
        "warmup_s": args.warmup,
        "duration_s": args.duration,
        **({"chains": args.chains} if args.mode == "refresh" else {"codes_minted": pool_size}),
        **summary,
        "server": {
            "pid": server_pid,
            "busy": None if server_cpu is None else round(server_cpu / wall, 3),
            "cpu_ms_per_request": (
                None if server_cpu is None or not summary["requests"]
                else round(1000 * server_cpu / summary["requests"], 3)
            ),
            **{k: info[k] for k in ("oidc_provider", "node", "rss") if k in info},
        },
        "load_generator": {
            "busy": round(usage["client_cpu_s"] / wall, 3),
            "affinity": sorted(os.sched_getaffinity(0)),
            "python": platform.python_version(),
            "httpx": httpx.__version__,
        },
        "other_processes_busy": {str(k): round(v, 3) for k, v in usage["other_busy"].items()},
        "notes": run.notes,
        "failed": bool(summary["errors"]) or exhausted or not summary["ok"],
    }
    if args.json:
        print(json.dumps(result, indent=2))
    else:
        lat = summary["latency_ms"]
        srv = result["server"]
        print(f"{target.name} {result['grant_type']} grant: {summary['rps']} req/s over "
              f"{summary['window_s']} s, {args.workers} workers; p50 {lat['p50']} ms, "
              f"p90 {lat['p90']} ms, p99 {lat['p99']} ms; errors {summary['errors']}")
        print(f"  server busy {srv['busy']}, {srv['cpu_ms_per_request']} ms CPU/request; "
              f"load generator busy {result['load_generator']['busy']}; "
              f"other processes busy {result['other_processes_busy']}")
        for sample in summary["error_samples"]:
            print(f"  error: {sample}")
        for note in run.notes[:5]:
            print(f"  note: {note}")
    if exhausted:
        log("the code pool ran out before the end of the window: rerun with a larger --codes")
    if result["load_generator"]["busy"] > 0.9:
        log("warning: the load generator used > 90% of its core; the rate may be "
            "limited by it, not by the server")
    return 1 if result["failed"] else 0


if __name__ == "__main__":
    sys.exit(main())
