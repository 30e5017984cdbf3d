"""What a download shows while it runs: size, rate and time left; a bar redrawn in place on a terminal, a plain
line every tenth of the file when the output is a file or a pipe (a log then reads well)."""

from __future__ import annotations

import sys
import time
from typing import TextIO

BAR = 24  # characters
REDRAW = 0.2  # seconds between two redraws of the bar


def megabytes(count: float) -> str:
    return f"{count / 1e6:,.1f} MB"


def duration(seconds: float) -> str:
    seconds = round(seconds)
    return f"{seconds // 60}:{seconds % 60:02d}" if seconds >= 60 else f"{seconds} s"


class Progress:
    def __init__(self, label: str, total: int, done: int = 0, stream: TextIO | None = None, clock=time.monotonic):
        self.label, self.total, self.start_bytes = label, total, done
        self.stream = sys.stdout if stream is None else stream
        self.clock = clock
        self.started = self.last_draw = clock()
        self.terminal = self.stream.isatty()
        self.next_tenth = done * 10 // max(total, 1) + 1
        self.done = done

    def restart(self) -> None:
        """The download starts over from its first byte."""
        self.start_bytes = self.done = 0
        self.started = self.last_draw = self.clock()
        self.next_tenth = 1

    def rate(self) -> float:
        elapsed = self.clock() - self.started
        return (self.done - self.start_bytes) / elapsed if elapsed > 0 else 0.0

    def describe(self) -> str:
        rate = self.rate()
        left = f", {duration((self.total - self.done) / rate)} left" if rate > 0 and self.done < self.total else ""
        return f"{megabytes(self.done)} of {megabytes(self.total)}, {megabytes(rate)}/s{left}"

    def update(self, done: int) -> None:
        self.done = done
        if self.terminal:
            now = self.clock()
            if now - self.last_draw >= REDRAW or done >= self.total:
                self.last_draw = now
                filled = BAR * done // max(self.total, 1)
                bar = "#" * filled + "." * (BAR - filled)
                percent = 100 * done // max(self.total, 1)
                self.stream.write(f"\r{self.label} [{bar}] {percent:3d}% {self.describe()}\x1b[K")
                self.stream.flush()
        else:
            if self.next_tenth <= 10 and done * 10 >= self.next_tenth * self.total:  # one line however far it got
                self.stream.write(f"{self.label}: {100 * done // max(self.total, 1)}% ({self.describe()})\n")
                self.stream.flush()
                self.next_tenth = done * 10 // max(self.total, 1) + 1

    def finish(self) -> None:
        if self.terminal:
            self.stream.write("\n")
            self.stream.flush()
