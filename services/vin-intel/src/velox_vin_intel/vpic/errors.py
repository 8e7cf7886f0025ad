"""The one error the vPIC client raises: vPIC could not give an answer in time."""

from __future__ import annotations

__all__ = ["VpicUnavailable"]


class VpicUnavailable(Exception):
    """vPIC was slow, down, refused the call or sent a body we cannot read.

    Callers answer from the offline decode and mark enrichment unavailable; ``reason``
    says what failed, in words fit for a log line.
    """

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason
