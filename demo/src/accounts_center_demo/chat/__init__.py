"""Chat: messaging with phone-number accounts, 1:1 messages end-to-end encrypted in the
browser (the server keeps ciphertext only) and Status updates that last 24 hours."""
