"""Social: a small social network (username accounts, a feed of text posts, Stories)."""
