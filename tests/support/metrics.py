"""Read livecam's Prometheus metrics over HTTP."""

from __future__ import annotations

import httpx
from prometheus_client.parser import text_string_to_metric_families


def read_metrics(client: httpx.Client) -> dict[tuple[str, str], float]:
    """Return {(sample name, camera): value} from /metrics."""
    response = client.get("/metrics")
    assert response.status_code == 200
    values: dict[tuple[str, str], float] = {}
    for family in text_string_to_metric_families(response.text):
        for sample in family.samples:
            values[(sample.name, sample.labels.get("camera", ""))] = sample.value
    return values
