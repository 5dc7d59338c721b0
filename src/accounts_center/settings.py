"""One Settings object, read once from the environment / `.env`, passed down.

Every name is prefixed ``ACCOUNTS_CENTER_``; `docs/configuration.md` lists them all.
"""

from __future__ import annotations

from ipaddress import ip_address
from urllib.parse import urlsplit

from pydantic import Field, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

# Where `serve` listens by default, and so the issuer of commands that serve nothing.
DEFAULT_PUBLIC_URL = "http://127.0.0.1:8000"


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="ACCOUNTS_CENTER_", env_file=".env",
                                      extra="ignore")

    database_url: str = Field(
        default="sqlite:///./accounts-center.db",
        description="SQLAlchemy URL: sqlite:///path.db or postgresql+psycopg://user@host/db")
    secret_key: str | None = Field(
        default=None,
        description="Key that encrypts secrets at rest (TOTP seeds, signing keys). "
                    "Required when several processes share a database; when unset, "
                    "`serve` creates one in `secret_key_file`.")
    secret_key_file: str = Field(
        default=".accounts-center.secret",
        description="Where a generated secret key is kept when secret_key is unset.")
    public_url: str | None = Field(
        default=None,
        description="The hub's external base URL (the OpenID issuer); https:// makes "
                    "cookies Secure. Unset: the address `serve` listens on, "
                    f"{DEFAULT_PUBLIC_URL} for every other command.")
    session_idle_minutes: int = Field(default=60 * 24 * 14, ge=5)
    session_absolute_days: int = Field(default=30, ge=1)
    argon2_time_cost: int = Field(default=3, ge=1)
    argon2_memory_kib: int = Field(default=65536, ge=8)
    argon2_parallelism: int = Field(default=4, ge=1)
    max_body_bytes: int = Field(default=1_048_576, ge=1024,
                                description="Largest request body accepted.")
    run_migrations_on_start: bool = Field(default=True)
    totp_issuer: str = Field(default="Accounts Center")
    signups_per_address_per_hour: int = Field(
        default=20, ge=1, description="Logins one client address may create per hour "
                                      "(each costs an argon2 hash, and mass sign-ups are "
                                      "how spam and enumeration start).")
    authorize_anonymous_per_minute: int = Field(
        default=30, ge=1, description="Anonymous /oauth2/authorize calls (no hub login) "
                                      "one client address may make per minute.")
    # Webhook delivery (`delivery/`). The defaults retry for more than 24 h, then dead-letter.
    delivery_in_process: bool | None = Field(
        default=None, description="Run a delivery worker inside `serve`; unset means yes "
                                  "on SQLite and no on PostgreSQL (run `accounts-center "
                                  "worker` there).")
    delivery_timeout_seconds: float = Field(default=10.0, gt=0, le=120)
    delivery_max_attempts: int = Field(default=18, ge=1, le=100)
    delivery_backoff_base_seconds: float = Field(default=5.0, gt=0)
    delivery_backoff_max_seconds: float = Field(default=6 * 3600.0, gt=0)
    delivery_lease_seconds: float = Field(
        default=60.0, gt=0, description="How long a claimed event is a worker's own; a "
                                        "worker that dies leaves it to be delivered again "
                                        "after this. Must exceed the timeout.")
    delivery_concurrency: int = Field(default=64, ge=1, le=1000)
    delivery_poll_seconds: float = Field(default=2.0, gt=0, le=60)
    delivery_retention_days: int = Field(default=7, ge=1)
    delivery_ca_file: str | None = Field(
        default=None, description="PEM file of private certificate authorities trusted "
                                  "for webhook receivers, besides the public ones.")
    # Media (issue 13): profile photos, later avatars and creations.
    media_max_upload_bytes: int = Field(
        default=10 * 1024 * 1024, ge=1024,
        description="Largest image file accepted as a profile photo (or other media).")
    media_max_pixels: int = Field(
        default=40_000_000, ge=1,
        description="Most pixels (width x height) an uploaded image may declare; more is "
                    "refused before decoding (decompression bombs).")
    metrics_token: str | None = Field(
        default=None, description="When set, /metrics asks for `Authorization: Bearer` "
                                  "with this token.")

    @field_validator("public_url")
    @classmethod
    def _https_unless_loopback(cls, value: str | None) -> str | None:
        return None if value is None else checked_public_url(value)

    @model_validator(mode="after")
    def _lease_outlasts_an_attempt(self) -> Settings:
        if self.delivery_lease_seconds <= self.delivery_timeout_seconds + 1:
            raise ValueError("delivery_lease_seconds must exceed delivery_timeout_seconds "
                             "by more than a second")
        return self

    @property
    def issuer(self) -> str:
        """The base URL the hub advertises: in discovery, tokens, receipts and logout
        tokens alike, so they can never disagree."""
        return (self.public_url or DEFAULT_PUBLIC_URL).rstrip("/")

    @property
    def cookies_secure(self) -> bool:
        return self.issuer.startswith("https://")

    def served_at(self, host: str, port: int) -> Settings:
        """These settings for a hub listening on HOST:PORT: unless a public URL is set,
        the hub is where it listens (`serve --port 9000` is http://127.0.0.1:9000), so
        discovery never sends apps to a port nobody listens on. ValueError when that
        address cannot be a public URL (plain http off this machine)."""
        if self.public_url is not None:
            return self
        return self.model_copy(update={"public_url": checked_public_url(
            listening_url(host, port))})

    @property
    def is_sqlite(self) -> bool:
        return self.database_url.startswith("sqlite")


def checked_public_url(value: str) -> str:
    # OAuth 2.0 needs TLS (RFC 6749 §3.1); plain http is for a hub on this machine only.
    parts = urlsplit(value)
    loopback = parts.hostname in ("localhost", "::1") or (
        parts.hostname or "").startswith("127.")
    if parts.scheme == "https" and parts.hostname:
        return value
    if parts.scheme == "http" and loopback:
        return value
    raise ValueError("must be an https:// URL (http:// only for localhost or 127.0.0.1)")


def listening_url(host: str, port: int) -> str:
    """The URL of a server listening on HOST:PORT, as a browser on this machine reaches
    it. A wildcard host (every interface) is reached on the loopback address."""
    try:
        address = ip_address(host.strip("[]"))
    except ValueError:
        return f"http://{host}:{port}"  # a name, e.g. localhost
    if address.is_unspecified:
        return f"http://127.0.0.1:{port}" if address.version == 4 else f"http://[::1]:{port}"
    return f"http://{address}:{port}" if address.version == 4 else f"http://[{address}]:{port}"
