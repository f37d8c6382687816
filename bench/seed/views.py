"""The tutorial's views: a sync streaming generator that re-encodes on every loop."""

from __future__ import annotations

from collections.abc import Iterator

import simplejpeg
from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django.views.decorators.csrf import csrf_exempt

from bench.seed.camera import camera


def generate() -> Iterator[bytes]:
    """Yield the newest frame, re-encoded for this viewer, as fast as the loop spins."""
    while True:
        with camera.lock:
            if camera.output_frame is None:
                continue  # the tutorial's busy wait
            # The tutorial's cv2.imencode: the same libjpeg-turbo, quality 80, one per viewer.
            jpeg = simplejpeg.encode_jpeg(camera.output_frame, quality=80, colorspace="BGR")
            captured_at = camera.captured_at
        # Content-Length and X-Timestamp added so the same load generator can measure it.
        yield (
            b"--frame\r\nContent-Type: image/jpeg\r\nContent-Length: %d\r\nX-Timestamp: %.6f\r\n\r\n"
            % (len(jpeg), captured_at)
            + jpeg
            + b"\r\n"
        )


def stream(request: HttpRequest) -> StreamingHttpResponse:
    return StreamingHttpResponse(
        generate(), content_type="multipart/x-mixed-replace; boundary=frame"
    )


@csrf_exempt
def video_control(request: HttpRequest) -> HttpResponse:
    """POST toggles the camera ON/OFF, as the tutorial's button does."""
    if request.method == "POST":
        if request.POST.get("state") == "off" or (camera.running and "state" not in request.POST):
            camera.stop()
        else:
            camera.start()
    return HttpResponse("on" if camera.running else "off")
