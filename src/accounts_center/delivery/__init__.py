"""Webhook delivery: workers that claim outbox events and send them as signed webhooks."""
