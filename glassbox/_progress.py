"""Progress lines on stderr for fits that search (``verbose``): what the search is doing, at a
bounded rate, so a minute-long fit is not a minute of silence.

The searches are driven from Python between kernel calls, so they report from there; a kernel
never prints (it runs without the GIL). Reporting only reads the search's state: a fit with
``verbose`` is the same model as one without.
"""

import sys
import threading
import time

# Seconds between two progress lines (lines marked ``force`` are always printed): often enough
# to show a search is alive, rarely enough that a minute-long fit prints a screenful at most.
INTERVAL = 2.0


class Progress:
    """Prints ``[glassbox NAME] message (elapsed)`` lines to stderr for ``verbose >= 1``.

    A call prints only when ``force`` is given or ``INTERVAL`` seconds have passed since the
    last line, and a message may be a callable, built only when a line is due: a search calls
    its reporter every step unconditionally and pays a clock read. Safe to call from the
    threads of one search.

    Parameters
    ----------
    verbose : int
        0: silent.
    name : str
        What is fitted, shown in every line (``"tree"``, ``"rule list"``).
    start : float, optional
        ``time.perf_counter()`` value the elapsed time counts from (default: now).
    """

    def __init__(self, verbose, name, start=None):
        self.enabled = bool(verbose)
        self.name = name
        self.start = time.perf_counter() if start is None else start
        self._last = self.start
        self._lock = threading.Lock()

    def __call__(self, message, force=False):
        if not self.enabled:
            return
        now = time.perf_counter()
        with self._lock:
            if not force and now - self._last < INTERVAL:
                return
            self._last = now
        text = message() if callable(message) else message
        print(f"[glassbox {self.name}] {text} ({now - self.start:.1f}s)", file=sys.stderr, flush=True)

    @classmethod
    def silent(cls):
        """A reporter that never prints (the searches' default)."""
        return cls(0, "")
