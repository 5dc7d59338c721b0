"""HTTP edge: the JSON API under /v1, the console pages, and the mapping of errors."""
