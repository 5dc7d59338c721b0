"""One Settings object, read once from the environment / `.env`, passed down.

Every name is prefixed ``ACCOUNTS_CENTER_``; `docs/configuration.md` lists them all.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from pydantic import Field, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict


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
    public_url: str = Field(
        default="http://127.0.0.1:8000",
        description="The hub's external base URL; https:// makes cookies Secure.")
    session_idle_minutes: int = Field(default=60 * 24 * 14, ge=5)
    session_absolute_days: int = Field(default=30, ge=1)
    argon2_time_cost: int = Field(default=3, ge=1)
    argon2_memory_kib: int = Field(default=65536, ge=8)
    argon2_parallelism: int = Field(default=4, ge=1)
    max_body_bytes: int = Field(default=1_048_576, ge=1024,
                                description="Largest request body accepted.")
    run_migrations_on_start: bool = Field(default=True)
    totp_issuer: str = Field(default="Accounts Center")

    @field_validator("public_url")
    @classmethod
    def _https_unless_loopback(cls, value: str) -> str:
        # OAuth 2.0 needs TLS (RFC 6749 §3.1); plain http is for a hub on this machine only.
        parts = urlsplit(value)
        loopback = parts.hostname in ("localhost", "::1") or (
            parts.hostname or "").startswith("127.")
        if parts.scheme == "https" and parts.hostname:
            return value
        if parts.scheme == "http" and loopback:
            return value
        raise ValueError("must be an https:// URL (http:// only for localhost or 127.0.0.1)")

    @property
    def cookies_secure(self) -> bool:
        return self.public_url.startswith("https://")

    @property
    def is_sqlite(self) -> bool:
        return self.database_url.startswith("sqlite")
