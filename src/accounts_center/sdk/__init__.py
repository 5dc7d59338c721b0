"""What member apps import: verifying and parsing the hub's webhooks."""

from accounts_center.sdk.webhooks import (
    AccountLinked,
    AccountUnlinked,
    AgeReconciled,
    ConsentUpdated,
    DataErasureRequested,
    DuplicateWebhook,
    Event,
    InvalidWebhook,
    SeenIds,
    UnknownEvent,
    WebhookReceiver,
)

__all__ = ["AccountLinked", "AccountUnlinked", "AgeReconciled", "ConsentUpdated",
           "DataErasureRequested", "DuplicateWebhook", "Event", "InvalidWebhook", "SeenIds",
           "UnknownEvent", "WebhookReceiver"]
