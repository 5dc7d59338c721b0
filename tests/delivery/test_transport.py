"""The worker's HTTP transport against real servers on 127.0.0.1: TLS verified (with an
operator's private authority when configured), connections kept alive and reused, and a
connection the receiver closed meanwhile replaced without costing an attempt."""

from __future__ import annotations

import ipaddress
import ssl
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from accounts_center.clock import SystemClock
from accounts_center.delivery.worker import DeliveryWorker, WorkerThread
from accounts_center.hub import build_hub
from accounts_center.services.deliveries import show_delivery
from tests.delivery.support import an_app, statuses, wait_for, write_events
from tests.support import cheap_settings


def _name(common_name: str) -> x509.Name:
    return x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, common_name)])


@pytest.fixture(scope="module")
def certificates(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """A private authority and a certificate it signed for 127.0.0.1."""
    folder = tmp_path_factory.mktemp("tls")
    now = datetime.now(UTC)
    ca_key = ec.generate_private_key(ec.SECP256R1())
    ca = (x509.CertificateBuilder().subject_name(_name("Test CA")).issuer_name(_name("Test CA"))
          .public_key(ca_key.public_key()).serial_number(x509.random_serial_number())
          .not_valid_before(now - timedelta(hours=1)).not_valid_after(now + timedelta(days=1))
          .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
          .add_extension(x509.KeyUsage(True, False, False, False, False, True, True, False,
                                       False), critical=True)
          .add_extension(x509.SubjectKeyIdentifier.from_public_key(ca_key.public_key()),
                         critical=False)
          .sign(ca_key, hashes.SHA256()))
    key = ec.generate_private_key(ec.SECP256R1())
    leaf = (x509.CertificateBuilder().subject_name(_name("127.0.0.1")).issuer_name(ca.subject)
            .public_key(key.public_key()).serial_number(x509.random_serial_number())
            .not_valid_before(now - timedelta(hours=1)).not_valid_after(now + timedelta(days=1))
            .add_extension(x509.SubjectAlternativeName(
                [x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]), critical=False)
            .add_extension(x509.ExtendedKeyUsage([x509.ExtendedKeyUsageOID.SERVER_AUTH]),
                           critical=False)
            .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(
                ca_key.public_key()), critical=False)
            .sign(ca_key, hashes.SHA256()))
    paths = {"ca": folder / "ca.pem", "cert": folder / "cert.pem", "key": folder / "key.pem"}
    paths["ca"].write_bytes(ca.public_bytes(serialization.Encoding.PEM))
    paths["cert"].write_bytes(leaf.public_bytes(serialization.Encoding.PEM))
    paths["key"].write_bytes(key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption()))
    return paths


class Endpoint:
    def __init__(self) -> None:
        self.connections = 0
        self.requests: list[str] = []
        self.close_after_each = False


@contextmanager
def endpoint(tls: dict[str, Path] | None = None) -> Iterator[tuple[str, Endpoint]]:
    """A keep-alive HTTP/1.1 server (HTTPS when ``tls``) that answers 204 and counts the
    TCP connections it accepted."""
    seen = Endpoint()

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def setup(self) -> None:
            seen.connections += 1
            super().setup()

        def do_POST(self) -> None:
            self.rfile.read(int(self.headers["content-length"]))
            seen.requests.append(self.headers["webhook-id"])
            self.send_response(204)
            self.send_header("content-length", "0")
            self.end_headers()
            if seen.close_after_each:  # closes without saying so (no Connection: close)
                self.close_connection = True

        def log_message(self, *_: object) -> None:
            return

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    if tls is not None:
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.load_cert_chain(tls["cert"], tls["key"])
        server.socket = context.wrap_socket(server.socket, server_side=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    scheme = "https" if tls else "http"
    try:
        yield f"{scheme}://127.0.0.1:{server.server_address[1]}/hook", seen
    finally:
        server.shutdown()
        server.server_close()


class Lab:
    """A hub with a real clock and quick retries, and a worker with the real transport."""

    def __init__(self, database_url: str, **settings: object) -> None:
        self.hub = build_hub(cheap_settings(database_url, delivery_poll_seconds=0.05,
                                            delivery_backoff_base_seconds=0.01,
                                            delivery_backoff_max_seconds=0.01, **settings),
                             clock=SystemClock())
        self.thread: WorkerThread | None = None

    def start_worker(self) -> None:
        self.thread = WorkerThread(DeliveryWorker(self.hub)).start()


@contextmanager
def real_worker(database_url: str, **settings: object) -> Iterator[Lab]:
    lab = Lab(database_url, **settings)
    try:
        yield lab
    finally:
        if lab.thread is not None:
            lab.thread.stop()
        lab.hub.close()


def test_https_receivers_signed_by_a_configured_private_authority_get_deliveries(
        database_url, certificates):
    with endpoint(certificates) as (url, seen), real_worker(
            database_url, delivery_ca_file=str(certificates["ca"])) as lab:
        hub = lab.hub
        chat = an_app(hub, url=url)
        ids = write_events(hub, chat.app.id, ["p1", "p2", "p3"])
        lab.start_worker()
        wait_for(lambda: set(statuses(hub, ids).values()) == {"delivered"})
    assert sorted(seen.requests) == sorted(ids)


def test_an_untrusted_certificate_is_refused(database_url, certificates):
    with endpoint(certificates) as (url, seen), real_worker(
            database_url, delivery_max_attempts=1) as lab:
        hub = lab.hub
        chat = an_app(hub, url=url)
        [event_id] = write_events(hub, chat.app.id, ["p1"])
        lab.start_worker()
        wait_for(lambda: statuses(hub, [event_id])[event_id] == "dead")
        error = show_delivery(hub, event_id).history[0].error
    assert seen.requests == []
    assert "CERTIFICATE_VERIFY_FAILED" in error, error


def test_an_unreadable_authority_file_stops_the_worker_with_a_clear_error(
        database_url, tmp_path):
    bad = tmp_path / "ca.pem"
    bad.write_text("not a certificate")
    for path in (bad, tmp_path / "missing.pem"):
        hub = build_hub(cheap_settings(database_url, delivery_ca_file=str(path)))
        try:
            with pytest.raises(ValueError, match="delivery_ca_file: cannot read"):
                DeliveryWorker(hub)
        finally:
            hub.close()


def test_connections_are_kept_alive_and_a_closed_one_costs_no_attempt(database_url):
    with endpoint() as (url, seen), real_worker(database_url, delivery_concurrency=1) as lab:
        hub = lab.hub
        chat = an_app(hub, url=url)
        lab.start_worker()
        first = write_events(hub, chat.app.id, ["p1", "p2", "p3", "p4"])
        wait_for(lambda: set(statuses(hub, first).values()) == {"delivered"})
        assert seen.connections == 1  # one connection carried all four

        seen.close_after_each = True
        then = write_events(hub, chat.app.id, ["q1", "q2", "q3"])
        wait_for(lambda: set(statuses(hub, then).values()) == {"delivered"})
        assert all(show_delivery(hub, i).attempts == 1 for i in then)
    assert sorted(seen.requests) == sorted(first + then)
