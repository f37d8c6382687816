"""Motion detection accuracy on scripted scenes: detections, events, false positives, latency.

Runs the product's detector and event tracker offline, exactly as capture feeds them (a
640x480 frame at 30 fps, analysed 5 times a second), over many scripted scenes: objects of
several sizes and speeds, still scenes, and sudden lighting changes up and down.

    python -m bench.motion_accuracy            # prints a Markdown table and a JSON summary
"""

from __future__ import annotations

import json
import statistics
import time

from livecam.motion.detector import DetectorConfig, MotionDetector, to_gray
from livecam.motion.tracker import EventTracker
from livecam.sources.scene import draw, render_background
from livecam.sources.script import script_of

FPS, ANALYSIS_FPS, SECONDS = 30.0, 5.0, 12.0
SEEDS = (1, 2, 3, 4)


def scenes() -> list[str]:
    motion = [
        f"scene:motion?at={at}&for={dur}&size={size}"
        for size in (0.05, 0.1, 0.15, 0.25)
        for dur in (1, 2, 4)
        for at in (2, 5)
    ]
    lighting = [
        f"scene:lighting?at=3&for=4&gain={g}"
        for g in (0.4, 0.6, 0.8, 0.9, 1.1, 1.25, 1.6, 2.0, 2.5)
    ]
    return motion + lighting + ["scene:still"]


def run(target: str, seed: int) -> dict[str, object]:
    script = script_of(target)
    background, noise = render_background(640, 480, seed=seed)
    detector, tracker = MotionDetector(DetectorConfig()), EventTracker()
    detections, events, spent, analyses = 0, [], 0.0, 0
    step = round(FPS / ANALYSIS_FPS)
    for index in range(0, int(SECONDS * FPS), step):
        at = index / FPS
        image = draw(script, background, noise, index, FPS)
        t0 = time.perf_counter()
        detection = detector.analyse(to_gray(image))
        spent += time.perf_counter() - t0
        analyses += 1
        detections += detection.motion
        change = tracker.update(detection, at)
        if change.started is not None:
            events.append(change.started.started_at)
    return {
        "scene": script.scene,
        "target": target,
        "detections": detections,
        "events": events,
        "analyses": analyses,
        "ms_per_analysis": 1000 * spent / analyses,
        "at": script.at,
        "duration": script.duration,
    }


def main() -> None:
    results = [run(target, seed) for target in scenes() for seed in SEEDS]
    motion = [r for r in results if r["scene"] == "motion"]
    quiet = [r for r in results if r["scene"] != "motion"]
    hits = [r for r in motion if len(r["events"]) >= 1]  # type: ignore[arg-type]
    exact = [r for r in motion if len(r["events"]) == 1]  # type: ignore[arg-type]
    latency = [r["events"][0] - r["at"] for r in hits]  # type: ignore[index,operator]
    summary = {
        "motion_scenes": len(motion),
        "motion_detected": len(hits),
        "motion_one_event": len(exact),
        "recall_pct": round(100 * len(hits) / len(motion), 1),
        "latency_s_median": round(statistics.median(latency), 2) if latency else None,
        "latency_s_max": round(max(latency), 2) if latency else None,
        "quiet_scenes": len(quiet),
        "false_events": sum(len(r["events"]) for r in quiet),  # type: ignore[arg-type,misc]
        "false_detections": sum(r["detections"] for r in quiet),  # type: ignore[misc]
        "quiet_analyses": sum(r["analyses"] for r in quiet),  # type: ignore[misc]
        "ms_per_analysis": round(statistics.mean(r["ms_per_analysis"] for r in results), 2),  # type: ignore[misc]
    }
    print(
        "| scenes | count | with an event | exactly one event | false events | false detections / analyses |"
    )
    print("|---|---|---|---|---|---|")
    print(f"| moving object | {len(motion)} | {len(hits)} | {len(exact)} | – | – |")
    for kind in ("still", "lighting"):
        group = [r for r in quiet if r["scene"] == kind]
        print(
            f"| {kind} | {len(group)} | – | – | {sum(len(r['events']) for r in group)} | "  # type: ignore[arg-type,misc]
            f"{sum(r['detections'] for r in group)} / {sum(r['analyses'] for r in group)} |"  # type: ignore[misc]
        )
    missed = [r["target"] for r in motion if not r["events"]]
    if missed:
        print("missed:", missed)
    print(json.dumps(summary))


if __name__ == "__main__":
    main()
