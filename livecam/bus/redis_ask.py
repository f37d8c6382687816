"""Questions from web processes to the capture owners over Redis, answered within a deadline.

Some answers only the capture machine knows: the V4L2 devices plugged into it, what a source
delivers when opened from there. A web process publishes a question (JSON) on the ask
channel; Redis says how many capture owners heard it (none: nobody can answer, at once). Each
owner pushes its answer (JSON) to a reply list that the asker pops with a timeout, so a
wedged or vanished owner costs the asker a bounded wait, never a hung worker.
"""

from __future__ import annotations

import json
import logging
import secrets
import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from livecam.bus.redis_client import async_client, sync_client
from livecam.bus.redis_keys import RedisKeys
from livecam.bus.redis_publisher import redis_errors

logger = logging.getLogger(__name__)

REPLY_TTL = 60
"""Seconds an answer nobody popped (a late one, or one of several owners) stays in Redis."""
MAX_QUESTION_BYTES = 16 * 1024
Answerer = Callable[[str, dict[str, Any]], dict[str, Any]]
"""(kind, payload) → answer; raises KeyError for a kind it does not know."""


class NoOwnerError(RuntimeError):
    """No capture process hears questions (none running, or Redis unreachable)."""


class NoAnswerError(RuntimeError):
    """The capture owners heard the question but did not answer in time."""


async def ask(
    url: str,
    keys: RedisKeys,
    kind: str,
    payload: dict[str, Any],
    wait: float,
    everyone: bool = False,
) -> list[dict[str, Any]]:
    """Ask the capture owners; return one answer (each owner's with `everyone`) within `wait` s."""
    request_id = secrets.token_hex(16)
    question = json.dumps({"id": request_id, "kind": kind, "one": not everyone, "payload": payload})
    deadline = time.monotonic() + wait
    answers: list[dict[str, Any]] = []
    try:
        async with async_client(url, timeout=wait + 2) as client:
            heard = int(await client.publish(keys.ask_channel, question))
            if heard == 0:
                raise NoOwnerError("no capture process is running (start `livecam capture`)")
            wanted = heard if everyone else 1
            while len(answers) < wanted:
                left = deadline - time.monotonic()
                if left <= 0:
                    break
                # BLPOP's timeout has millisecond resolution; 0 would mean "forever".
                item = await client.blpop([keys.reply(request_id)], timeout=max(left, 0.01))
                if item is None:
                    break
                answers.append(_decode(item[1]))
    except redis_errors() as exc:
        raise NoOwnerError(f"the bus is unreachable ({type(exc).__name__})") from None
    if not answers:
        raise NoAnswerError(f"the capture process did not answer within {wait:g} s")
    return answers


def _decode(blob: bytes) -> dict[str, Any]:
    data = json.loads(blob)
    if not isinstance(data, dict):
        raise NoAnswerError("the capture process gave a malformed answer")
    return data


class AskListener:
    """Answer questions on a capture owner: one listening thread, a few answering ones."""

    def __init__(self, url: str, keys: RedisKeys, answer: Answerer, workers: int = 4) -> None:
        self.url, self.keys, self._answer = url, keys, answer
        self._stop = threading.Event()
        self._listening = threading.Event()
        self._pool = ThreadPoolExecutor(workers, thread_name_prefix="livecam-answer")
        self._thread = threading.Thread(target=self._run, name="livecam-ask", daemon=True)

    def start(self, wait: float = 3.0) -> bool:
        """Start listening; return True once subscribed (False: not yet, Redis is away)."""
        self._thread.start()
        return self._listening.wait(wait)

    def stop(self) -> None:
        """Stop listening; answers being worked on are dropped (their askers time out)."""
        self._stop.set()
        self._thread.join(5)
        self._pool.shutdown(wait=False, cancel_futures=True)

    def _run(self) -> None:
        delay = 0.2
        while not self._stop.is_set():
            try:
                self._listen()
                delay = 0.2
            except redis_errors() as exc:
                logger.warning("capture: questions unheard for now (%s); reconnecting", exc)
                self._stop.wait(delay)
                delay = min(delay * 2, 2.0)

    def _listen(self) -> None:
        client = sync_client(self.url)
        pubsub = client.pubsub()
        try:
            pubsub.subscribe(self.keys.ask_channel)
            while not self._stop.is_set():
                message = pubsub.get_message(timeout=0.5)
                if message is None:
                    continue
                if message.get("type") == "subscribe":  # Redis counts us from now on
                    self._listening.set()
                elif message.get("type") == "message":
                    self._heard(message["data"])
        finally:
            pubsub.close()
            client.close()

    def _heard(self, blob: bytes) -> None:
        try:
            if len(blob) > MAX_QUESTION_BYTES:
                raise ValueError("too long")
            question = json.loads(blob)
            request_id, kind = str(question["id"]), str(question["kind"])
            payload = question.get("payload") or {}
            if not request_id.isalnum() or len(request_id) > 64 or not isinstance(payload, dict):
                raise ValueError("malformed")
        except (ValueError, KeyError, TypeError):
            logger.warning("capture: dropped a malformed question")
            return
        self._pool.submit(self._reply, request_id, kind, bool(question.get("one")), payload)

    def _reply(self, request_id: str, kind: str, one: bool, payload: dict[str, Any]) -> None:
        try:
            client = sync_client(self.url)
            try:
                if one and not client.set(self.keys.claim(request_id), 1, nx=True, ex=REPLY_TTL):
                    return  # another capture owner took it
                try:
                    answer = self._answer(kind, payload)
                except KeyError:
                    answer = {"error": f"unknown question {kind[:40]!r}"}
                except Exception:  # a bug answers an error rather than leaving the asker waiting
                    logger.exception("capture: answering %r failed", kind)
                    answer = {"error": "internal error on the capture process"}
                key = self.keys.reply(request_id)
                client.rpush(key, json.dumps(answer))
                client.expire(key, REPLY_TTL)
            finally:
                client.close()
        except redis_errors() as exc:
            logger.warning("capture: an answer was lost (%s)", exc)
