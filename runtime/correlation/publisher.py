"""Kafka side of the correlation executor: publish histograms, consume the data topic.

Both take the Kafka client configuration as a dict passed straight to confluent-kafka
(``bootstrap.servers``, ``security.protocol``, SASL, TLS ...), so the same code runs against the
embedded test broker and a production cluster. Latency settings follow ``shared/kafka-notes.md``.
"""

from __future__ import annotations

import logging
import threading
import uuid
from collections.abc import Callable, Mapping
from typing import Any

__all__ = ["DataTopicConsumer", "KafkaDataPublisher", "data_topic"]

log = logging.getLogger(__name__)

_PRODUCER_DEFAULTS = {"linger.ms": 0, "reconnect.backoff.max.ms": 500}
_CONSUMER_DEFAULTS = {
    "enable.auto.commit": False,
    "session.timeout.ms": 2000,
    "heartbeat.interval.ms": 100,
    "fetch.wait.max.ms": 20,
    "topic.metadata.refresh.interval.ms": 2000,
    "reconnect.backoff.max.ms": 500,
}


def data_topic(instrument: str) -> str:
    """``{instrument}_livedata_data``: results in, histograms out."""
    return f"{instrument}_livedata_data"


class KafkaDataPublisher:
    """Produces da00 records (key null, no headers) to the data topic."""

    def __init__(self, kafka_config: Mapping[str, Any], topic: str) -> None:
        from confluent_kafka import Producer

        self.topic = topic
        self._producer = Producer({**_PRODUCER_DEFAULTS, **kafka_config})
        self.delivery_errors = 0

    def publish(self, value: bytes) -> None:
        try:
            self._producer.produce(self.topic, value=value, on_delivery=self._delivered)
        except BufferError:
            self._producer.poll(0.1)  # queue full: serve callbacks, then try once more
            self._producer.produce(self.topic, value=value, on_delivery=self._delivered)
        self._producer.poll(0)

    def flush(self, timeout: float = 5.0) -> int:
        """Wait for outstanding records; returns how many are still queued."""
        return self._producer.flush(timeout)

    def _delivered(self, err: Any, _msg: Any) -> None:
        if err is not None:
            self.delivery_errors += 1
            log.warning("histogram not delivered: %s", err)


class DataTopicConsumer:
    """Feeds every record of the data topic to ``handle`` from a background thread.

    A fresh consumer group per instance (the runtime wants every record, not a share of them);
    ``from_beginning`` replays what the broker still holds (rebuilds histories after a restart).
    A subscribe() consumer resumes by itself after a broker restart (see kafka-notes).
    """

    def __init__(
        self,
        kafka_config: Mapping[str, Any],
        topic: str,
        handle: Callable[[bytes], Any],
        *,
        from_beginning: bool = False,
        batch_size: int = 500,
        poll_timeout_s: float = 0.1,
    ) -> None:
        self.topic = topic
        self._config = {
            **_CONSUMER_DEFAULTS,
            "group.id": f"wfspec-correlation-{uuid.uuid4()}",
            "auto.offset.reset": "earliest" if from_beginning else "latest",
            **kafka_config,
        }
        self._handle = handle
        self._batch_size = batch_size
        self._timeout = poll_timeout_s
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self.records = 0
        self.errors = 0

    def start(self) -> None:
        if self._thread is None:
            self._thread = threading.Thread(
                target=self._run, name=f"consume {self.topic}", daemon=True
            )
            self._thread.start()

    def stop(self, timeout: float = 5.0) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout)
            self._thread = None

    def _run(self) -> None:
        from confluent_kafka import Consumer

        consumer = Consumer(self._config)
        consumer.subscribe([self.topic])
        try:
            while not self._stop.is_set():
                for message in consumer.consume(self._batch_size, self._timeout):
                    if message.error() is not None:
                        self.errors += 1
                        continue
                    self.records += 1
                    try:
                        self._handle(message.value())
                    except Exception:  # one bad record never stops the feed
                        self.errors += 1
                        log.exception("data record handler failed")
        finally:
            consumer.close()
