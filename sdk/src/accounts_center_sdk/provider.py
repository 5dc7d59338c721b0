"""The hub as an OpenID Provider: its discovery document, its signing keys, and the
checks an ID token must pass (OIDC Core §3.1.3.7) before an app believes it."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from joserfc import jwt
from joserfc.errors import JoseError
from joserfc.jwk import KeySet
from joserfc.jws import extract_compact

from accounts_center_sdk.errors import InvalidIDToken

# Asymmetric algorithms only: never `none`, never an HMAC keyed with the client secret.
SIGNING_ALGORITHMS = ("RS256", "PS256", "ES256")
CLOCK_LEEWAY_SECONDS = 60
# A token signed with a key the app has not seen makes it fetch the key set again, at most
# this often: a stream of forged key ids cannot turn the app into a load on the hub.
KEY_REFETCH_INTERVAL_SECONDS = 30.0


@dataclass(frozen=True)
class ProviderMetadata:
    issuer: str
    authorization_endpoint: str
    token_endpoint: str
    jwks_uri: str
    pushed_authorization_request_endpoint: str
    revocation_endpoint: str | None
    end_session_endpoint: str | None
    iss_parameter_supported: bool

    @classmethod
    def from_document(cls, document: Any, expected_issuer: str) -> ProviderMetadata:
        """OIDC Discovery §4.3: the document's issuer must be the one configured, or an
        attacker's discovery document could point the app at other endpoints."""
        if not isinstance(document, dict):
            raise ValueError("the discovery document is not a JSON object")
        if document.get("issuer") != expected_issuer:
            raise ValueError(f"the discovery document names issuer {document.get('issuer')!r},"
                             f" not {expected_issuer!r}")
        try:
            return cls(
                issuer=expected_issuer,
                authorization_endpoint=str(document["authorization_endpoint"]),
                token_endpoint=str(document["token_endpoint"]),
                jwks_uri=str(document["jwks_uri"]),
                pushed_authorization_request_endpoint=str(
                    document["pushed_authorization_request_endpoint"]),
                revocation_endpoint=document.get("revocation_endpoint"),
                end_session_endpoint=document.get("end_session_endpoint"),
                iss_parameter_supported=bool(
                    document.get("authorization_response_iss_parameter_supported")))
        except KeyError as missing:
            raise ValueError(f"the discovery document has no {missing}") from None


class SigningKeys:
    """The hub's published keys, fetched again when a token names a key not among them
    (the hub publishes a new key before it signs with it, and keeps an old one while its
    tokens live: a rotation never fails a valid token)."""

    def __init__(self) -> None:
        self._keys: KeySet | None = None
        self._fetched_at = float("-inf")

    def needs_fetch(self, kid: str | None, now: float) -> bool:
        if self._keys is None:
            return True
        known = any(key.kid == kid for key in self._keys.keys)
        return not known and now - self._fetched_at >= KEY_REFETCH_INTERVAL_SECONDS

    def replace(self, document: Any, now: float) -> None:
        try:
            self._keys = KeySet.import_key_set(document)
        except (JoseError, ValueError, TypeError, KeyError) as error:
            raise ValueError("the hub's JWKS is not a key set") from error
        self._fetched_at = now

    @property
    def key_set(self) -> KeySet:
        if self._keys is None:
            raise InvalidIDToken("the hub's signing keys are not known yet")
        return self._keys


def unverified_kid(id_token: str) -> str | None:
    try:
        kid = extract_compact(id_token.encode("ascii")).headers().get("kid")
    except (JoseError, ValueError, UnicodeError) as error:
        raise InvalidIDToken("the ID token is not a compact JWS") from error
    return str(kid) if kid is not None else None


def verify_id_token(id_token: str, keys: KeySet, issuer: str, client_id: str,
                    nonce: str | None, now: float) -> dict[str, Any]:
    """The ID token's claims once every check of OIDC Core §3.1.3.7 passed."""
    try:
        token = jwt.decode(id_token, keys, algorithms=list(SIGNING_ALGORITHMS))
        claims_options: dict[str, Any] = {
            "iss": {"essential": True, "value": issuer},
            "aud": {"essential": True, "value": client_id},
            "sub": {"essential": True},
            "exp": {"essential": True},
            "iat": {"essential": True},
        }
        if nonce is not None:
            claims_options["nonce"] = {"essential": True, "value": nonce}
        jwt.JWTClaimsRegistry(now=int(now), leeway=CLOCK_LEEWAY_SECONDS,
                              **claims_options).validate(token.claims)
    except (JoseError, ValueError) as error:
        raise InvalidIDToken(f"the ID token did not verify: {error}") from error
    claims = dict(token.claims)
    audience = claims["aud"]
    if isinstance(audience, list) and len(audience) > 1 and claims.get("azp") != client_id:
        raise InvalidIDToken("the ID token names other audiences and no azp of this app")
    return claims
