"""Well-kept primitives wrapped for the hub: argon2id, random tokens, encryption at rest."""
