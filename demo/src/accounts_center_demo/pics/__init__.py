"""Pics: photo sharing (username accounts, a feed of photos with captions, Stories)."""
