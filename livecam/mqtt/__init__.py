"""The MQTT bridge: camera state, switches and snapshots for Home Assistant over a broker."""
