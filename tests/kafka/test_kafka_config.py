"""`--kafka-config FILE`: client settings from YAML, JSON or .properties, passed through as given.

No broker needed: what is read, what wins, and what an author sees when the file is wrong.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from wfspec.runtime.kafka.config import (
    CONSUMER_DEFAULTS,
    KafkaConfigError,
    consumer_config,
    load_kafka_config,
    producer_config,
)

SASL = {
    "bootstrap.servers": "kafka1:9093,kafka2:9093",
    "security.protocol": "SASL_SSL",
    "sasl.mechanism": "SCRAM-SHA-256",
    "sasl.username": "livedata",
    "sasl.password": "s3cret=with=equals",
    "ssl.ca.location": "/etc/ssl/ess-ca.pem",
}


@pytest.mark.parametrize(
    ("name", "text"),
    [
        ("cluster.yaml", "\n".join(f"{k}: {v!r}" for k, v in SASL.items())),
        ("cluster.json", '{"' + '", "'.join(f'{k}": "{v}' for k, v in SASL.items()) + '"}'),
        (
            "cluster.properties",
            "# ESS production\n! also a comment\n\n"
            + "\n".join(f"{k} = {v}" for k, v in SASL.items()),
        ),
    ],
)
def test_every_format_reads_the_same_settings(tmp_path: Path, name: str, text: str) -> None:
    path = tmp_path / name
    path.write_text(text)
    assert load_kafka_config(path) == SASL


def test_the_command_line_bootstrap_servers_win_over_the_file(tmp_path: Path) -> None:
    path = tmp_path / "c.yaml"
    path.write_text("bootstrap.servers: far:9092\nclient.id: dashboard\n")
    settings = load_kafka_config(path, bootstrap_servers="127.0.0.1:9092")
    assert settings == {"bootstrap.servers": "127.0.0.1:9092", "client.id": "dashboard"}


def test_no_bootstrap_servers_anywhere_says_how_to_give_them(tmp_path: Path) -> None:
    path = tmp_path / "c.yaml"
    path.write_text("client.id: dashboard\n")
    with pytest.raises(KafkaConfigError, match="give --bootstrap-servers HOST:PORT"):
        load_kafka_config(path)


@pytest.mark.parametrize(
    ("name", "text", "where"),
    [
        ("bad.yaml", "bootstrap.servers: a:1\nsasl.username: [unclosed\n", "bad.yaml:3:1"),
        ("bad.json", '{\n  "bootstrap.servers": "a:1",\n  oops\n}', "bad.json:3:3"),
        ("bad.properties", "bootstrap.servers=a:1\nsecurity.protocol SSL\n", "bad.properties:2:1"),
    ],
)
def test_a_broken_file_names_file_line_and_column(
    tmp_path: Path, name: str, text: str, where: str
) -> None:
    path = tmp_path / name
    path.write_text(text)
    with pytest.raises(KafkaConfigError) as info:
        load_kafka_config(path)
    assert str(info.value).startswith(f"{tmp_path / where}: ")


def test_a_list_instead_of_a_mapping_is_explained(tmp_path: Path) -> None:
    path = tmp_path / "c.yaml"
    path.write_text("- bootstrap.servers: a:1\n")
    with pytest.raises(KafkaConfigError, match="a Kafka config is a mapping of setting: value"):
        load_kafka_config(path)


def test_a_missing_file_is_an_error_not_a_traceback(tmp_path: Path) -> None:
    with pytest.raises(KafkaConfigError, match="cannot read the Kafka config"):
        load_kafka_config(tmp_path / "nope.yaml")


def test_user_settings_pass_through_over_the_defaults() -> None:
    user = {**SASL, "fetch.wait.max.ms": 100, "linger.ms": 5}
    consumer = consumer_config(user, "group-1")
    producer = producer_config(user)
    for key, value in SASL.items():  # security settings reach both clients unchanged
        assert consumer[key] == value and producer[key] == value
    assert consumer["fetch.wait.max.ms"] == 100  # the user's choice beats the tuned default
    assert consumer["session.timeout.ms"] == CONSUMER_DEFAULTS["session.timeout.ms"]
    assert producer["linger.ms"] == 5
    # each client only gets keys it understands (librdkafka warns about the others)
    assert "linger.ms" not in consumer and "fetch.wait.max.ms" not in producer
