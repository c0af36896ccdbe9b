"""A background Kafka consumer that hands batches of record values to per-topic handlers.

One thread per consumer reads batches (the first record as soon as it arrives, then whatever
else is already fetched, up to ``batch_size``) and calls, for each topic in the
batch, ``handlers[topic](values)`` -- the heartbeat topic's handler is the status router's
``route_batch``, the responses topic's the ack tracker's. Handlers run on this thread and must
not block for long; readers of the runtime's state never wait for the consumer.

Broker outages (ADR 0008): when librdkafka reports every broker down (or consume fails), the
consumer marks itself disconnected; once a metadata request succeeds again it closes the old
client and subscribes afresh. A fresh subscription is what makes recovery reliable: a broker
that restarted has lost topics and offsets without telling anyone, and an old client can sit
waiting at an offset the new log will not reach for a long time. The fresh client continues
from the group's committed offsets (a network outage) or, when the broker lost them (a restart),
from the start of the new log -- which holds only records written since, so no ack is lost.
"""

from __future__ import annotations

import contextlib
import logging
import threading
import uuid
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from .config import consumer_config

__all__ = ["TopicConsumer"]

log = logging.getLogger(__name__)

Handler = Callable[[list[bytes]], Any]
_DOWN_CODES = {"_ALL_BROKERS_DOWN"}


class TopicConsumer:
    """Consume ``handlers``' topics on a background thread (see the module docstring).

    ``settings`` are the user's client settings (passed through); ``group_id`` defaults to a
    fresh one per consumer (every runtime wants every heartbeat, not a share of them).
    ``on_connection(connected: bool)`` is told about outages and recoveries;
    ``before_resubscribe()`` runs when the broker answers again, before the fresh subscription
    (the runtime re-creates its topics there: a restarted broker lost them, and the first
    producer would otherwise auto-create them with several partitions). If it raises, the
    consumer stays disconnected and tries again.
    """

    def __init__(
        self,
        settings: Mapping[str, Any],
        handlers: Mapping[str, Handler],
        *,
        group_id: str | None = None,
        from_beginning: bool = False,
        batch_size: int = 1000,
        poll_timeout_s: float = 0.05,
        on_connection: Callable[[bool], Any] | None = None,
        before_resubscribe: Callable[[], Any] | None = None,
        name: str = "wfspec",
    ) -> None:
        self._handlers = dict(handlers)
        self._config = consumer_config(
            settings,
            group_id or f"{name}-{uuid.uuid4()}",
            **{
                "auto.offset.reset": "earliest" if from_beginning else "latest",
                # committed offsets let a reconnect after a mere network outage continue where it
                # stopped; after a broker restart they are gone and "earliest" below applies
                "enable.auto.commit": True,
                "auto.commit.interval.ms": 1000,
            },
            error_cb=self._on_error,
        )
        self._start_at = "earliest" if from_beginning else "latest"
        self._batch = batch_size
        self._timeout = poll_timeout_s
        self._on_connection = on_connection
        self._before_resubscribe = before_resubscribe
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._connected = True
        self._assigned = threading.Event()
        self.records = 0
        self.errors = 0
        self.handler_errors = 0
        self.reconnects = 0
        self.name = name

    # -- state ----------------------------------------------------------------------------------

    @property
    def connected(self) -> bool:
        """False while the broker is unreachable (status is stale meanwhile)."""
        return self._connected

    @property
    def topics(self) -> Sequence[str]:
        return tuple(self._handlers)

    def wait_assigned(self, timeout: float = 10.0) -> bool:
        """Block until partitions are assigned (tests: produce only after this)."""
        return self._assigned.wait(timeout)

    # -- lifecycle ------------------------------------------------------------------------------

    def start(self) -> TopicConsumer:
        if self._thread is None:
            self._stop.clear()
            self._thread = threading.Thread(
                target=self._run, name=f"{self.name} consumer", daemon=True
            )
            self._thread.start()
        return self

    def stop(self, timeout: float = 5.0) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout)
            self._thread = None

    # -- the loop -------------------------------------------------------------------------------

    def _new_client(self, after_outage: bool = False) -> Any:
        from confluent_kafka import Consumer

        config = dict(self._config)
        if after_outage:  # a restarted broker holds only records written since: read them all
            config["auto.offset.reset"] = "earliest"
        client = Consumer(config)
        pin = None if after_outage else self._start_at
        client.subscribe(list(self._handlers), on_assign=lambda c, p: self._on_assign(c, p, pin))
        return client

    def _on_assign(self, client: Any, partitions: list[Any], pin: str | None) -> None:
        """Pin the start offsets before anyone is told "assigned".

        ``auto.offset.reset=latest`` alone resolves the end offset lazily, after assignment: a
        record produced right after :meth:`wait_assigned` returned could fall before it and be
        skipped. Looking the end up here closes that race (the test broker's end is a little
        early, so a few old records may come again; every handler is idempotent). After an
        outage nothing is pinned: committed offsets, else the start of the new log, apply.
        """
        from confluent_kafka import OFFSET_BEGINNING

        if pin is not None:
            for partition in partitions:
                if pin == "earliest":
                    partition.offset = OFFSET_BEGINNING
                else:
                    try:
                        partition.offset = client.get_watermark_offsets(partition, timeout=5)[1]
                    except Exception:  # no answer: leave it to auto.offset.reset
                        log.debug("%s: end offset of %s unknown", self.name, partition)
            client.assign(partitions)
        self._assigned.set()

    def _run(self) -> None:
        client = self._new_client()
        try:
            while not self._stop.is_set():
                if not self._connected:
                    client = self._recover(client)
                    continue
                try:
                    messages = self._next_batch(client)
                except Exception as exc:  # the client itself failed: treat as an outage
                    log.warning("%s: consume failed: %s", self.name, exc)
                    self._set_connected(False)
                    continue
                if messages:
                    self._dispatch(messages)
        finally:
            # closing a client of a dead broker may complain; nothing to do about it
            with contextlib.suppress(Exception):
                client.close()

    def _next_batch(self, client: Any) -> list[Any]:
        """Wait for the first record, then take what else is already there (up to the batch).

        ``consume(n, timeout)`` alone holds records it already has until ``n`` arrived or the
        timeout ran out: at 1,000 heartbeats/s every batch would sit for the whole timeout
        (p99 ~75 ms measured). ``poll`` returns the first record at once; the rest of the batch
        is whatever librdkafka has fetched already, so batching still happens under load.
        """
        first = client.poll(self._timeout)
        if first is None:
            return []
        return [first, *client.consume(self._batch - 1, 0)]

    def _dispatch(self, messages: list[Any]) -> None:
        by_topic: dict[str, list[bytes]] = {}
        for message in messages:
            if message.error() is not None:
                self.errors += 1
                if message.error().name() in _DOWN_CODES:
                    self._set_connected(False)
                continue
            by_topic.setdefault(message.topic(), []).append(message.value())
        for topic, values in by_topic.items():
            self.records += len(values)
            try:
                self._handlers[topic](values)
            except Exception:  # one failing handler never stops the feed
                self.handler_errors += 1
                log.exception("%s: handler of %s failed", self.name, topic)

    def _recover(self, client: Any) -> Any:
        """While disconnected: probe every 0.25 s; when the broker answers, subscribe afresh."""
        try:
            client.list_topics(timeout=0.5)
        except Exception:
            self._stop.wait(0.25)
            return client
        if self._before_resubscribe is not None:
            try:
                self._before_resubscribe()
            except Exception as exc:
                log.warning("%s: broker answers but is not ready yet: %s", self.name, exc)
                self._stop.wait(0.25)
                return client
        with contextlib.suppress(Exception):
            client.close()
        self._assigned.clear()
        self.reconnects += 1
        fresh = self._new_client(after_outage=True)
        self._set_connected(True)
        log.info("%s: broker reachable again; subscribed afresh", self.name)
        return fresh

    def _on_error(self, error: Any) -> None:
        """librdkafka's error callback (runs inside consume on this thread)."""
        if error.name() in _DOWN_CODES:
            self._set_connected(False)

    def _set_connected(self, connected: bool) -> None:
        if connected == self._connected:
            return
        self._connected = connected
        if not connected:
            log.warning("%s: broker unreachable; status is stale until it is back", self.name)
        if self._on_connection is not None:
            try:
                self._on_connection(connected)
            except Exception:
                log.exception("%s: connection listener failed", self.name)
