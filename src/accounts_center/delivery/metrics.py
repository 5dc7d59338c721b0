"""Prometheus metrics of webhook delivery (`/metrics`, `accounts-center worker
--metrics-port`): counters and the latency histogram are this process's own; the queue
depth is read from the database when scraped, so every process reports the same queue."""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from datetime import datetime

from prometheus_client import CollectorRegistry, Counter, Histogram, generate_latest
from prometheus_client.core import GaugeMetricFamily, Metric
from prometheus_client.registry import Collector

from accounts_center.hub import Hub
from accounts_center.services.deliveries import queue_overview
from accounts_center.store.outbox import Settlement
from accounts_center.store.outbox_models import DEAD, DELIVERED

LATENCY_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300,
                   3600, 86400)


class DeliveryMetrics:
    def __init__(self, registry: CollectorRegistry | None = None) -> None:
        self.registry = registry or CollectorRegistry()
        self.delivered = Counter(
            "accounts_center_webhooks_delivered", "Events a receiver accepted (2xx)",
            ["app"], registry=self.registry)
        self.failed = Counter(
            "accounts_center_webhook_attempts_failed",
            "Delivery attempts that did not deliver, by what happened",
            ["app", "reason"], registry=self.registry)
        self.dead = Counter(
            "accounts_center_webhooks_dead_lettered", "Events given up on after the last retry",
            ["app"], registry=self.registry)
        self.latency = Histogram(
            "accounts_center_webhook_delivery_latency_seconds",
            "From the change's commit to the receiver's 2xx", ["app"],
            buckets=LATENCY_BUCKETS, registry=self.registry)

    def settled(self, settlements: Sequence[Settlement], now: datetime,
                names: Mapping[str, str]) -> None:
        for s in settlements:
            app = names.get(s.event.app_id, s.event.app_id)
            if s.new_status == DELIVERED:
                self.delivered.labels(app).inc()
                self.latency.labels(app).observe(
                    max(0.0, (s.attempted_at - s.event.created_at).total_seconds()
                        + s.duration_ms / 1000))
                continue
            reason = ("timeout" if s.status_code is None and s.error and "no answer" in s.error
                      else "connection" if s.status_code is None
                      else "gone" if s.status_code == 410 else f"http_{s.status_code // 100}xx")
            self.failed.labels(app, reason).inc()
            if s.new_status == DEAD:
                self.dead.labels(app).inc()


class QueueCollector(Collector):
    """Queue depth per app and state, and the age of the oldest waiting event."""

    def __init__(self, hub: Hub) -> None:
        self._hub = hub

    def collect(self) -> Iterator[Metric]:
        depth = GaugeMetricFamily("accounts_center_webhook_queue_depth",
                                  "Events not delivered yet, by state", labels=["app", "state"])
        oldest = GaugeMetricFamily("accounts_center_webhook_oldest_waiting_seconds",
                                   "Age of the oldest event still to deliver", labels=["app"])
        disabled = GaugeMetricFamily("accounts_center_webhook_endpoint_disabled",
                                     "1 while the app's endpoint is disabled (it answered "
                                     "410) or has no signing secret", labels=["app"])
        now = self._hub.clock.now()
        for row in queue_overview(self._hub):
            disabled.add_metric([row.app], 0.0 if row.enabled else 1.0)
            depth.add_metric([row.app, "pending"], row.pending)
            depth.add_metric([row.app, "retrying"], row.retrying)
            depth.add_metric([row.app, "dead"], row.dead)
            oldest.add_metric([row.app], (now - row.oldest).total_seconds()
                              if row.oldest else 0.0)
        yield depth
        yield oldest
        yield disabled

    def describe(self) -> Iterator[Metric]:
        return iter(())


def metrics_of(hub: Hub) -> DeliveryMetrics:
    """This process's delivery metrics, with the queue collector, made once per hub."""
    found = hub.memo.get("delivery_metrics")
    if found is None:
        found = hub.memo["delivery_metrics"] = DeliveryMetrics()
        found.registry.register(QueueCollector(hub))
    return found


def exposition(hub: Hub) -> bytes:
    return generate_latest(metrics_of(hub).registry)
