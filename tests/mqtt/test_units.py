"""Broker URL, topic and discovery-topic parsing (pure functions)."""

from __future__ import annotations

import pytest

from livecam.mqtt import discovery
from livecam.mqtt.commands import Rejected, parse
from livecam.mqtt.config import MqttConfig, MqttConfigError
from livecam.mqtt.topics import Topics


def test_broker_urls():
    plain = MqttConfig.parse("mqtt://broker.lan")
    assert (plain.host, plain.port, plain.tls, plain.username) == ("broker.lan", 1883, False, None)
    secure = MqttConfig.parse("mqtts://user%40x:p%3Ass@broker.lan")
    assert (secure.port, secure.tls, secure.username, secure.password) == (
        8883,
        True,
        "user@x",
        "p:ss",
    )
    assert "p:ss" not in repr(secure) and "p:ss" not in secure.where
    assert MqttConfig.parse("mqtt://h:1999", prefix="home/cams").node_id == "home_cams"
    for bad in ("http://h", "mqtt://", "mqtt://h:99999", "mqtt://h/x", "mqtt://h?a=b"):
        with pytest.raises(MqttConfigError):
            MqttConfig.parse(bad)
    with pytest.raises(MqttConfigError):
        MqttConfig.parse("mqtt://h", prefix="a/#")
    with pytest.raises(MqttConfigError):
        MqttConfig.parse("mqtts://h", ca_file="/nonexistent/ca.pem")


def test_command_parsing():
    topics = Topics("livecam")
    assert parse(topics, "livecam/door/power/set", b"ON", False) == ("door", "power", True)
    assert parse(topics, "livecam/door/recording/set", b" off\n", False) == (
        "door",
        "recording",
        False,
    )
    for topic, payload, retained, reason in [
        ("livecam/door/power/set", b"TOGGLE", False, "malformed"),
        ("livecam/door/power/set", b"ON" * 20, False, "oversized"),
        ("livecam/door/power/set", b"ON", True, "retained"),
        ("livecam/door/zoom/set", b"ON", False, "malformed"),
        ("livecam/../power/set", b"ON", False, "malformed"),
        ("other/door/power/set", b"ON", False, "malformed"),
    ]:
        with pytest.raises(Rejected) as caught:
            parse(topics, topic, payload, retained)
        assert caught.value.reason == reason


def test_discovery_topics_round_trip():
    config = MqttConfig.parse("mqtt://h")
    for entity in discovery.ENTITIES:
        topic = discovery.config_topic(config, "front_door-2", entity)
        assert discovery.parse_config_topic(config, topic) == "front_door-2"
    assert discovery.parse_config_topic(config, "homeassistant/switch/other/x_power/config") is None
    assert (
        discovery.parse_config_topic(config, "homeassistant/light/livecam/x_power/config") is None
    )
