"""The OpenID provider, built on Authlib's server components (DESIGN §4.1-4.2)."""
