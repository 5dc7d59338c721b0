"""Token endpoint throughput: ``refresh_token`` and ``authorization_code`` grants.

On demand only: never run in CI, never collected by pytest (no ``test_`` prefix, and
pytest's testpaths is ``tests``). Meant for the 2-core machine: the OpenID provider under
test pinned to core 0 (``taskset -c 0``), this load generator pinned to core 1
(``taskset -c 1``). See README.md next to this file.

What it does:

0. Probe: one code, its exchange, one refresh, a replay of the used refresh token and of
   the used code. The run fails unless ID tokens are RS256 (``--expect-alg``), codes are
   single-use and refresh tokens rotate and are single-use.
1. Mint, over real HTTP, what the token requests need: authorization codes obtained through
   the target's authorization endpoint (PKCE S256, ``prompt=consent``, scope
   ``openid offline_access``), and for ``--mode refresh`` refresh tokens obtained by
   exchanging such codes (one per refresh chain, ``--chains``).
2. Wait until other processes leave the two cores alone, then fire token requests
   (``client_secret_basic``) from ``--workers`` threads, each with its own keep-alive
   connection, for ``--warmup`` seconds that are not counted and then ``--duration``
   seconds that are.

   * ``refresh``: each worker owns some of the chains and uses them in turn, always with
     the newest refresh token of the chain (the target rotates them; a response without a
     new refresh token is an error and ends that chain).
   * ``code``: each request exchanges one fresh code with its ``code_verifier``. Codes are
     minted before the warm-up; how many comes from two calibration batches (or
     ``--codes``). Running out before the end of the window spoils the attempt.

3. Report requests/s over the window (requests that completed inside it), p50/p90/p99
   latency, errors, and where the CPU went: how busy the provider's process was (found by
   its listening port, or ``--server-pid``), its CPU time per request, how busy this load
   generator was (close to one full core would mean the provider was not the bottleneck),
   and how much CPU other processes took on each core. A window that other processes
   disturbed (more than ``--max-other-server-core`` of the provider's core, or
   ``--max-other-load-core`` of ours) is measured again, up to ``--attempts`` times.

Token requests go through ``http.client`` (see :class:`TokenClient` for why), minting
through a small cookie-keeping ``http.client`` wrapper (:class:`Browser`).

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

Exit status: 0 when every counted request succeeded in an undisturbed window; 1 when a
request failed or the run could not be completed (probe failed, code pool ran out in every
attempt); 2 on bad arguments or a target that is not implemented; 3 when all requests
succeeded but other processes disturbed every attempt (numbers not trustworthy).
"""

from __future__ import annotations

import argparse
import base64
import contextlib
import email.utils
import hashlib
import http.client
import http.cookies
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


# (target, state, request) -> authorization code. ``state`` is a dict of the minting
# thread's own, the same for all the codes that thread mints: a getter keeps its HTTP
# client there (and with it the login session, so it logs in once per thread, not once per
# code). Values with a ``close()`` method are closed when minting ends.
CodeGetter = Callable[["Target", dict[str, Any], AuthorizationRequest], str]


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


class Browser:
    """A minimal cookie-keeping HTTP/1.1 client on one keep-alive connection, for GETs that
    are answered by redirects. A fraction of httpx's CPU cost per request, which matters
    here: minting the tens of thousands of codes a code grant run needs is otherwise bound
    by the load generator's core, not by the provider.

    Cookies are keyed by (name, path) and sent to paths under their path, which is what
    oidc-provider relies on (its interaction cookies are scoped to ``/interaction/<uid>``
    and ``/auth/<uid>``). Domains and ``Secure`` are ignored: one origin, plain HTTP."""

    def __init__(self, base_url: str) -> None:
        url = urlsplit(base_url)
        self.origin = f"{url.scheme}://{url.netloc}"
        self.netloc = url.netloc
        self.connection_class = (
            http.client.HTTPSConnection if url.scheme == "https" else http.client.HTTPConnection
        )
        self.connection: http.client.HTTPConnection | None = None
        self.cookies: dict[tuple[str, str], str] = {}

    def close(self) -> None:
        if self.connection is not None:
            self.connection.close()
            self.connection = None

    def _cookie_header(self, path: str) -> str:
        return "; ".join(
            f"{name}={value}" for (name, cookie_path), value in self.cookies.items()
            if path == cookie_path or path.startswith(cookie_path.rstrip("/") + "/")
        )

    def _store_cookies(self, headers: list[str], request_path: str) -> None:
        for header in headers:
            parsed = http.cookies.SimpleCookie()
            parsed.load(header)
            for name, morsel in parsed.items():
                path = morsel["path"] or request_path.rsplit("/", 1)[0] or "/"
                expired = morsel["max-age"] in ("0",) or (
                    morsel["expires"]
                    and email.utils.parsedate_to_datetime(morsel["expires"]).timestamp()
                    < time.time()
                )
                if expired or not morsel.value:
                    self.cookies.pop((name, path), None)
                else:
                    self.cookies[(name, path)] = morsel.value

    def get(self, url: str) -> tuple[int, str | None, bytes]:
        """(status, absolute Location or None, body) of one GET on this origin."""
        parts = urlsplit(url)
        if f"{parts.scheme}://{parts.netloc}" != self.origin:
            raise MintError(f"redirected off the target: {url}")
        target = parts.path + (f"?{parts.query}" if parts.query else "")
        headers = {"Accept": "text/html,application/json"}
        cookie = self._cookie_header(parts.path or "/")
        if cookie:
            headers["Cookie"] = cookie
        for retry in (True, False):
            if self.connection is None:
                self.connection = self.connection_class(self.netloc, timeout=TIMEOUT.read)
            try:
                self.connection.request("GET", target, headers=headers)
                response = self.connection.getresponse()
                body = response.read()
                break
            except (OSError, http.client.HTTPException):
                self.close()  # e.g. the server closed an idle keep-alive connection
                if not retry:
                    raise
        if response.will_close:
            self.close()
        self._store_cookies(response.headers.get_all("Set-Cookie") or [], parts.path or "/")
        location = response.headers.get("Location")
        return response.status, (urljoin(url, location) if location else None), body

    def forget_transaction_cookies(self) -> None:
        """Drop the cookies scoped to a sub-path (one authorization's), keep the session's."""
        self.cookies = {key: v for key, v in self.cookies.items() if key[1] in ("", "/")}


def get_code_by_following_redirects(
    target: Target, state: dict[str, Any], request: AuthorizationRequest
) -> str:
    """GET the authorization endpoint and follow redirects (keeping cookies) until one goes
    to the client's redirect URI. Works when the target finishes login and consent on its
    own, like server.mjs does on ``/interaction/<uid>``."""
    browser = state.get("browser")
    if browser is None:
        browser = state["browser"] = Browser(target.base_url)
    url = target.authorize_url + "?" + urlencode(target.authorize_params(request))
    for _ in range(10):
        status, location, body = browser.get(url)
        if status not in (302, 303, 307) or location is None:
            raise MintError(f"GET {url} answered {status}: {body[:300]!r}")
        if location.startswith(target.redirect_uri):
            browser.forget_transaction_cookies()
            return code_from_callback(target, location, request)
        url = location
    raise MintError("too many redirects before reaching the redirect URI")


# The hub session of a person whose account of the benchmark app is linked (set by
# bench/oidc_tokens.py, or --hub-session): with it, /oauth2/authorize answers at once with a
# redirect to the app carrying the code (single sign-on), so following redirects suffices.
HUB_SESSION: dict[str, str] = {}


def hub_get_code(target: Target, state: dict[str, Any], request: AuthorizationRequest) -> str:
    if "browser" not in state:
        if not HUB_SESSION.get("cookie"):
            raise MintError("the hub needs --hub-session (a logged-in, linked person's "
                            "ac_session cookie); bench/oidc_tokens.py sets one up")
        browser = state["browser"] = Browser(target.base_url)
        browser.cookies[("ac_session", "/")] = HUB_SESSION["cookie"]
    code = get_code_by_following_redirects(target, state, request)
    # The hub sets only path-/ cookies; drop the pre-session cookie it adds per browser.
    return code


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
    # Paths as in src/accounts_center/oidc/discovery.py. The member app and the linked
    # person are made by bench/oidc_tokens.py, which passes --client-id, --client-secret,
    # --redirect-uri and --hub-session.
    "hub": TargetDefaults(
        base_url="http://127.0.0.1:8000",
        authorize_path="/oauth2/authorize",
        token_path="/oauth2/token",
        client_id="",
        client_secret="",
        redirect_uri="http://127.0.0.1:1/cb",
        get_code=hub_get_code,
        # The hub issues refresh tokens to its member apps without a consent prompt:
        # the link itself is the person's consent.
        extra_authorize_params={},
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
    """One keep-alive HTTP/1.1 connection to the token endpoint, used by one thread.

    Built on the standard library's ``http.client`` rather than httpx: on this machine an
    httpx request costs the load generator about 0.7 ms of CPU, as much as the provider
    spends answering it, so 4 httpx threads on one core cannot keep one provider core busy;
    ``http.client`` costs about 0.16 ms."""

    def __init__(self, target: Target) -> None:
        self.target = target
        url = urlsplit(target.token_url)
        self.path = url.path + (f"?{url.query}" if url.query else "")
        self.connection_class = (
            http.client.HTTPSConnection if url.scheme == "https" else http.client.HTTPConnection
        )
        self.netloc = url.netloc
        self.connection: http.client.HTTPConnection | None = None
        self.headers = {
            "Authorization": target.basic_auth_header(),
            "Content-Type": "application/x-www-form-urlencoded",
            "Accept": "application/json",
        }

    def close(self) -> None:
        if self.connection is not None:
            self.connection.close()
            self.connection = None

    def _send(self, body: str) -> tuple[int, bytes]:
        if self.connection is None:
            self.connection = self.connection_class(self.netloc, timeout=TIMEOUT.read)
        self.connection.request("POST", self.path, body=body, headers=self.headers)
        response = self.connection.getresponse()
        data = response.read()
        if response.will_close:
            self.close()
        return response.status, data

    def post(self, form: dict[str, str]) -> tuple[dict[str, Any] | None, str | None]:
        """(token response, None) on success, (None, error) otherwise."""
        try:
            status, data = self._send(urlencode(form))
        except (OSError, http.client.HTTPException) as exc:
            self.close()  # a new connection next time; this request counts as an error
            return None, f"{type(exc).__name__}: {exc}"
        if status != 200:
            return None, f"HTTP {status}: {data[:200].decode('utf-8', 'replace')}"
        try:
            body = json.loads(data)
        except ValueError:
            return None, f"not JSON: {data[:200].decode('utf-8', 'replace')}"
        if not isinstance(body, dict) or not body.get("access_token"):
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
        state: dict[str, Any] = {}
        try:
            while True:
                with lock:
                    if remaining[0] <= 0 or failures:
                        return
                    remaining[0] -= 1
                request = AuthorizationRequest.new()
                try:
                    code = target.get_code(target, state, request)
                except BaseException as exc:
                    with lock:
                        failures.append(exc)
                    return
                with lock:
                    results.append(Code(code, request.code_verifier))
        finally:
            for value in state.values():
                if callable(getattr(value, "close", None)):
                    value.close()

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


def probe(target: Target) -> dict[str, Any]:
    """One code, its exchange, one refresh, then a replay of the used refresh token: checks
    that the target behaves as the benchmark assumes (RS256 ID tokens, refresh tokens that
    rotate on every use and cannot be used twice)."""
    code = mint_codes(target, 1, 1)[0]
    client = TokenClient(target)
    try:
        first, error = client.exchange_code(code.code, code.verifier)
        if first is None:
            raise MintError(f"code exchange failed: {error}")
        old = first.get("refresh_token")
        if not old:
            raise MintError(f"the code grant issued no refresh token: {sorted(first)}")
        second, error = client.refresh(old)
        if second is None:
            raise MintError(f"refresh failed: {error}")
        replay, replay_error = client.post({"grant_type": "refresh_token", "refresh_token": old})
        # Last: a replayed code may revoke what it issued (oidc-provider does).
        replayed_code, _ = client.exchange_code(code.code, code.verifier)
        return {
            "id_token_alg": jwt_alg(first["id_token"]) if first.get("id_token") else None,
            "code_grant_returns": sorted(first),
            "refresh_grant_returns": sorted(second),
            "refresh_id_token_alg": (
                jwt_alg(second["id_token"]) if second.get("id_token") else None
            ),
            "code_replay_rejected": replayed_code is None,
            "refresh_rotated": second["refresh_token"] != old,
            "refresh_replay_rejected": replay is None,
            "refresh_replay_answer": replay_error,
        }
    finally:
        client.close()


# --------------------------------------------------------------------------- CPU accounting

CLOCK_TICK = os.sysconf("SC_CLK_TCK")


def process_cpu_seconds(pid: int) -> float:
    """User + system CPU time of a process, all its threads (Linux /proc)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / CLOCK_TICK  # utime, stime


def core_seconds() -> dict[int, tuple[float, float]]:
    """Per core, since boot: (seconds running tasks, seconds in hard and soft interrupts).
    Interrupt time is not charged to any process; here it is mostly the loopback traffic
    of the benchmark itself."""
    seconds = {}
    for line in Path("/proc/stat").read_text().splitlines():
        name, *values = line.split()
        if name.startswith("cpu") and name[3:].isdigit():
            user, nice, system, _idle, _iowait, irq, softirq = (int(v) for v in values[:7])
            seconds[int(name[3:])] = (
                (user + nice + system) / CLOCK_TICK,
                (irq + softirq) / CLOCK_TICK,
            )
    return seconds


def affinity(pid: int | None) -> set[int] | None:
    if pid is None:
        return None
    try:
        return set(os.sched_getaffinity(pid))
    except OSError:
        return None


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


@dataclass
class CpuUsage:
    """Where the CPU went during a window; shares are fractions of one core."""

    wall_s: float
    server_cpu_s: float | None
    own_cpu_s: float
    core_busy: dict[int, float]  # running tasks, any process
    core_irq: dict[int, float]  # interrupts (mostly our own loopback traffic)
    other: dict[int, float]  # running tasks other than the server and this process


class CpuWindow:
    """CPU used between start() and stop() by the server, by this process, and by anything
    else on each core. A process pinned to some cores is subtracted from each of them (an
    unpinned one from every core), so ``other`` is never over-estimated."""

    def __init__(self, server_pid: int | None) -> None:
        self.server_pid = server_pid
        self.server_cores = affinity(server_pid)
        self.own_cores = affinity(0) or set()

    def _sample(self) -> tuple[float, float | None, float, dict[int, tuple[float, float]]]:
        server = None
        if self.server_pid is not None:
            with contextlib.suppress(OSError):
                server = process_cpu_seconds(self.server_pid)
        return time.perf_counter(), server, time.process_time(), core_seconds()

    def start(self) -> None:
        self.first = self._sample()

    def stop(self) -> CpuUsage:
        wall1, server1, own1, cores1 = self._sample()
        wall0, server0, own0, cores0 = self.first
        wall = wall1 - wall0
        server = None if server0 is None or server1 is None else server1 - server0
        own = own1 - own0
        busy = {c: (cores1[c][0] - cores0[c][0]) / wall for c in cores1}
        irq = {c: (cores1[c][1] - cores0[c][1]) / wall for c in cores1}
        other = {}
        for core, share in busy.items():
            ours = own / wall if core in self.own_cores else 0.0
            if server is not None and (self.server_cores is None or core in self.server_cores):
                ours += server / wall
            other[core] = max(0.0, share - ours)
        return CpuUsage(wall, server, own, busy, irq, other)


def single_core(cores: set[int] | None) -> int | None:
    return next(iter(cores)) if cores is not None and len(cores) == 1 else None


def disturbance(usage: CpuUsage, window: CpuWindow, args: argparse.Namespace) -> str | None:
    """Why other processes spoiled this window, or None if they did not. Needs the server
    and this process pinned to one core each; otherwise nothing can be said (None)."""
    server_core = single_core(window.server_cores)
    own_core = single_core(window.own_cores)
    reasons = []
    if server_core is not None and usage.other.get(server_core, 0) > args.max_other_server_core:
        reasons.append(f"other processes took {usage.other[server_core]:.0%} of the server's "
                       f"core {server_core}")
    if (own_core is not None and own_core != server_core
            and usage.other.get(own_core, 0) > args.max_other_load_core):
        reasons.append(f"other processes took {usage.other[own_core]:.0%} of the load "
                       f"generator's core {own_core}")
    return "; ".join(reasons) or None


def wait_for_quiet(server_pid: int | None, args: argparse.Namespace) -> float | None:
    """Wait (1 s samples, at most --quiet-timeout) until other processes leave the server's
    and this process's cores alone; seconds waited, or None when it never got quiet."""
    began = time.perf_counter()
    while True:
        window = CpuWindow(server_pid)
        window.start()
        time.sleep(1.0)
        if disturbance(window.stop(), window, args) is None:
            return time.perf_counter() - began
        if time.perf_counter() - began > args.quiet_timeout:
            return None


# --------------------------------------------------------------------------- load


@dataclass
class Run:
    """Shared state of one load run."""

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
    deadline = start + seconds
    while (now := time.perf_counter()) < deadline and any(t.is_alive() for t in threads):
        time.sleep(min(0.05, deadline - now))
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
                        help="code mode: codes to mint for the warm-up and the counted window "
                        "(default: 1.3 x calibration rate x (warmup + duration) + 200)")
    parser.add_argument("--calibration-codes", type=int, default=1500,
                        help="code mode: codes per calibration batch (two batches; 1500)")
    parser.add_argument("--mint-threads", type=int, default=4)
    parser.add_argument("--expect-alg", default="RS256", help="the ID tokens' alg (RS256)")
    parser.add_argument("--server-pid", type=int,
                        help="the provider's pid (default: whoever listens on the port)")
    parser.add_argument("--attempts", type=int, default=3,
                        help="measure again (up to this many times) when other processes "
                        "disturbed the window (3)")
    parser.add_argument("--quiet-timeout", type=float, default=120.0,
                        help="seconds to wait for quiet cores before each attempt (120)")
    parser.add_argument("--max-other-server-core", type=float, default=0.05,
                        help="share of the server's core other processes may take (0.05)")
    parser.add_argument("--max-other-load-core", type=float, default=0.5,
                        help="share of the load generator's core other processes may take (0.5)")
    parser.add_argument("--hub-session", help="--target hub: ac_session cookie of a "
                        "logged-in person whose account of the app is linked")
    parser.add_argument("--json", action="store_true", help="print the result as JSON")
    args = parser.parse_args(argv)
    if (args.workers < 1 or args.duration <= 0 or args.warmup < 0
            or args.chains < args.workers or args.attempts < 1):
        parser.error("need --workers >= 1, --duration > 0, --warmup >= 0, "
                     "--chains >= --workers, --attempts >= 1")
    return args


def log(text: str) -> None:
    print(text, file=sys.stderr, flush=True)


WorkerFactory = Callable[[], list[Callable[[Run, list[Outcome], threading.Barrier], None]]]


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    if args.hub_session:
        HUB_SESSION["cookie"] = args.hub_session
    target = build_target(args)
    info = target_info(target)
    port = urlsplit(target.base_url).port or 80
    server_pid = args.server_pid or info.get("pid") or pid_listening_on(port)

    try:
        checks = probe(target)
    except NotImplementedError as exc:
        log(f"target {target.name!r} is not ready: {exc}")
        return 2
    except (MintError, OSError, httpx.HTTPError, http.client.HTTPException) as exc:
        log(f"cannot get codes and tokens from {target.base_url}: {exc}")
        return 1
    log(f"probe: {json.dumps(checks)}")
    checks_ok = (
        checks["id_token_alg"] == args.expect_alg
        and checks["code_replay_rejected"]
        and checks["refresh_rotated"]
        and checks["refresh_replay_rejected"]
    )
    if not checks_ok:
        log(f"the target does not behave as assumed (expected {args.expect_alg} ID tokens, "
            "single-use codes, rotating single-use refresh tokens)")

    pool: deque[Code] = deque()
    codes_per_attempt = 0
    workers: WorkerFactory
    if args.mode == "refresh":
        t0 = time.perf_counter()
        log(f"minting {args.chains} refresh token chains at {target.base_url} ...")
        tokens = mint_refresh_tokens(target, args.chains, args.mint_threads)
        log(f"  done in {time.perf_counter() - t0:.1f} s")
        # Each worker's list is updated in place: it always holds the newest refresh token
        # of each of its chains, across warm-ups and attempts.
        shares = [tokens[i :: args.workers] for i in range(args.workers)]

        def workers() -> list[Callable[[Run, list[Outcome], threading.Barrier], None]]:
            return [
                lambda run, out, ready, mine=mine: refresh_worker(target, mine, run, out, ready)
                for mine in shares
            ]
    else:

        def workers() -> list[Callable[[Run, list[Outcome], threading.Barrier], None]]:
            return [
                lambda run, out, ready: code_worker(target, pool, run, out, ready)
                for _ in range(args.workers)
            ]

        def codes_for(rate: float) -> int:
            return math.ceil(1.3 * rate * (args.warmup + args.duration)) + 200

        codes_per_attempt = args.codes
        if not codes_per_attempt:
            # Calibrate: exchange small batches as fast as possible to size the pool; the
            # first batch warms the provider up (JIT), the second gives the rate.
            for batch in ("warm-up", "rate"):
                log(f"calibrating ({batch}): {args.calibration_codes} codes ...")
                pool.extend(mint_codes(target, args.calibration_codes, args.mint_threads))
                calibration, cstart, _ = run_load(workers(), 3600)  # until the pool is empty
                done = [o for out in calibration.outcomes for o in out]
                failed = [o.error for o in done if o.error is not None]
                if failed or not done:
                    log(f"  {len(failed)} of {len(done)} code exchanges failed, e.g. "
                        f"{failed[:1]}")
                    return 1
                rate = len(done) / max(1e-3, max(o.end for o in done) - cstart)
                log(f"  {rate:.0f} codes/s")
            codes_per_attempt = codes_for(rate)

    attempts: list[dict[str, Any]] = []
    for attempt in range(1, args.attempts + 1):
        if args.mode == "code":
            missing = codes_per_attempt - len(pool)
            t1 = time.perf_counter()
            log(f"minting {missing} codes for the warm-up and the counted window ...")
            pool.extend(mint_codes(target, missing, args.mint_threads))
            elapsed = time.perf_counter() - t1
            log(f"  done in {elapsed:.1f} s ({missing / max(elapsed, 1e-3):.0f} codes/s)")
        waited = wait_for_quiet(server_pid, args)
        log("  the cores are busy with other work; measuring anyway" if waited is None
            else f"  cores quiet (waited {waited:.0f} s)")
        if args.warmup:
            log(f"warm-up {args.warmup:g} s ...")
            warm, _, _ = run_load(workers(), args.warmup)
            if warm.notes:
                log("  warm-up notes: " + "; ".join(warm.notes[:3]))
        log(f"measuring {args.duration:g} s with {args.workers} workers "
            f"(attempt {attempt}/{args.attempts}) ...")
        window = CpuWindow(server_pid)
        window.start()
        run, start, end = run_load(workers(), args.duration)
        usage = window.stop()
        summary = summarize([o for out in run.outcomes for o in out], start, end)
        disturbed = disturbance(usage, window, args)
        attempts.append({
            "rps": summary["rps"],
            "disturbed": disturbed,
            "other_busy": {str(k): round(v, 3) for k, v in usage.other.items()},
        })
        exhausted = args.mode == "code" and any("pool exhausted" in n for n in run.notes)
        if exhausted:
            attempts[-1]["disturbed"] = disturbed = "the code pool ran out"
            codes_per_attempt = max(codes_for(summary["rps"]), math.ceil(1.5 * codes_per_attempt))
            log(f"  the code pool ran out; next attempt with {codes_per_attempt} codes")
            continue
        if disturbed is None or summary["errors"]:
            break
        log(f"  disturbed ({disturbed}, {summary['rps']} req/s); trying again")

    wall = usage.wall_s
    server_cpu = usage.server_cpu_s
    pinned = (single_core(window.server_cores) is not None
              and single_core(window.own_cores) is not None)
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
        **({"chains": args.chains} if args.mode == "refresh"
           else {"codes_per_attempt": codes_per_attempt}),
        **summary,
        "server": {
            "pid": server_pid,
            "cores": sorted(window.server_cores) if window.server_cores else None,
            "busy": None if server_cpu is None else round(server_cpu / wall, 3),
            "cpu_ms_per_request": (
                None if server_cpu is None or not summary["requests"]
                else round(1000 * server_cpu / summary["requests"], 3)
            ),
            **{k: info[k] for k in ("oidc_provider", "node", "store_entries") if k in info},
        },
        "load_generator": {
            "cores": sorted(window.own_cores),
            "busy": round(usage.own_cpu_s / wall, 3),
            "python": platform.python_version(),
        },
        "cores": {
            str(core): {
                "busy": round(usage.core_busy[core], 3),
                "interrupts": round(usage.core_irq[core], 3),
                "other_processes": round(usage.other[core], 3),
            }
            for core in sorted(usage.core_busy)
        },
        "pinned": pinned,
        "disturbed": disturbed,
        "attempts": attempts,
        "checks": checks,
        "notes": run.notes,
        "failed": bool(summary["errors"]) or exhausted or not summary["ok"] or not checks_ok,
        "machine": {"cpus": os.cpu_count(), "cpu": cpu_model(), "kernel": platform.release()},
        "date": time.strftime("%Y-%m-%d %H:%M:%S %z"),
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
              f"load generator busy {result['load_generator']['busy']}; cores {result['cores']}")
        if disturbed:
            print(f"  DISTURBED: {disturbed}")
        if not pinned:
            print("  not pinned (server and load generator on one core each): "
                  "disturbance cannot be judged")
        for sample in summary["error_samples"]:
            print(f"  error: {sample}")
        for note in run.notes[:5]:
            print(f"  note: {note}")
    if exhausted:
        log("the code pool ran out before the end of the window: rerun with a larger --codes")
    if result["load_generator"]["busy"] > 0.9:
        log("warning: the load generator used > 90% of its core; the rate may be "
            "limited by it, not by the server")
    if result["failed"]:
        return 1
    return 3 if disturbed else 0


def cpu_model() -> str:
    with contextlib.suppress(OSError):
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    return platform.processor() or "unknown"


if __name__ == "__main__":
    sys.exit(main())
