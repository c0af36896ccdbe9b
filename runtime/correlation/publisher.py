"""Kafka side of the correlation executor: publish histograms, consume the data topic.

Both take the Kafka client configuration as a dict passed straight to confluent-kafka
(``bootstrap.servers``, ``security.protocol``, SASL, TLS ...), so the same code runs against the
embedded test broker and a production cluster. Latency settings follow ``shared/kafka-notes.md``.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from typing import Any

from ..kafka.config import producer_config
from ..kafka.consumer import TopicConsumer
from ..kafka.topics import Topics

__all__ = ["DataTopicConsumer", "KafkaDataPublisher", "data_topic"]

log = logging.getLogger(__name__)


def data_topic(instrument: str) -> str:
    """``{instrument}_livedata_data``: results in, histograms out."""
    return Topics(instrument).data


class KafkaDataPublisher:
    """Produces da00 records (key null, no headers) to the data topic."""

    def __init__(self, kafka_config: Mapping[str, Any], topic: str) -> None:
        from confluent_kafka import Producer

        self.topic = topic
        self._producer = Producer(producer_config(kafka_config))
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


class DataTopicConsumer(TopicConsumer):
    """Feeds every record of the data topic to ``handle(value)`` from a background thread.

    The runtime's :class:`TopicConsumer` (fresh group, batches, recovery after a broker
    restart) with a per-record handler: one bad record never costs the rest of its batch.
    ``from_beginning`` replays what the broker still holds (rebuilds histories after a restart).
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
        self._handle = handle
        super().__init__(
            kafka_config,
            {topic: self._each},
            from_beginning=from_beginning,
            batch_size=batch_size,
            poll_timeout_s=poll_timeout_s,
            name="wfspec-correlation",
        )

    def _each(self, values: list[bytes]) -> None:
        for value in values:
            try:
                self._handle(value)
            except Exception:  # one bad record never stops the feed
                self.handler_errors += 1
                log.exception("data record handler failed")
