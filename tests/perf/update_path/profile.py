"""Where a bot process spends its CPU: py-spy's collapsed stacks summarised by library.

``py-spy record --format raw`` writes one line per distinct stack, ``frame;frame;... count``,
each frame ``function (path:line)``. py-spy leaves out threads the OS shows as sleeping, so the
samples are of threads running or ready to run: on a busy machine a thread waiting for a core
(or for the GIL, as the aiosqlite worker does after each hand-off) counts too. Self time is the
innermost frame's; a library's inclusive time counts every sample with one of its frames on the
stack.
"""

from __future__ import annotations

import re
import subprocess
import sys
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

_FRAME = re.compile(r"^(?P<function>.*) \((?P<path>[^()]*?)(?::(?P<line>\d+))?\)$")
_OURS = ("bot", "handlers", "storage", "locales")
#: Names a reader knows, for a few packages whose files say otherwise.
_ALIASES = {"_asyncio": "asyncio", "concurrent": "asyncio", "selectors": "asyncio",
            "sqlite3": "sqlite3", "threading": "threading/queue", "queue": "threading/queue"}


def library(path: str) -> str:
    """``…/site-packages/telegram/_bot.py`` → ``telegram``; this bot's packages → ``this bot``."""
    if path.startswith("<frozen "):  # runpy, importlib._bootstrap...
        return _ALIASES.get(path, path.removeprefix("<frozen ").rstrip(">").split(".")[0])
    for marker in ("site-packages/", "dist-packages/"):
        if marker in path:
            path = path.split(marker, 1)[1]
            break
    else:
        path = re.sub(r"^.*/lib/python3\.\d+/", "", path)
        path = re.sub(r"^.*?/(?=(bot|handlers|storage|locales|tests)/)", "", path)
    top = path.split("/", 1)[0].removesuffix(".py")
    if top in _OURS:
        return "this bot"
    return _ALIASES.get(top, top)


@dataclass
class Summary:
    samples: int
    self_by_library: Counter[str]
    inclusive_by_library: Counter[str]
    self_by_function: Counter[tuple[str, str]]  # (library, "function (path)")
    self_by_line: Counter[tuple[str, str]]  # (library, "function (path:line)")

    def busiest_line(self, lib: str, function: str) -> str:
        """``function (path:line)`` of the function's line with the most self time."""
        stem = function.removesuffix(")") + ":"
        lines = [(count, name) for (owner, name), count in self.self_by_line.items()
                 if owner == lib and name.startswith(stem)]
        return max(lines)[1] if lines else function


def summarise(raw: Path) -> Summary:
    samples = 0
    own: Counter[str] = Counter()
    inclusive: Counter[str] = Counter()
    functions: Counter[tuple[str, str]] = Counter()
    by_line: Counter[tuple[str, str]] = Counter()
    for line in raw.read_text(errors="replace").splitlines():
        stack, _, count_text = line.rpartition(" ")
        if not stack or not count_text.isdigit():
            continue
        count = int(count_text)
        frames = [f for f in map(_parse, stack.split(";")) if f is not None]
        if not frames:
            continue
        samples += count
        for lib in {lib for lib, _, _ in frames}:
            inclusive[lib] += count
        lib, name, line_no = frames[-1]
        own[lib] += count
        functions[lib, name] += count
        by_line[lib, f"{name.removesuffix(')')}:{line_no})"] += count
    return Summary(samples, own, inclusive, functions, by_line)


def _parse(frame: str) -> tuple[str, str, str] | None:
    """(library, ``function (short path)``, line) of one frame."""
    match = _FRAME.match(frame.strip())
    if match is None:
        return None
    path = match["path"]
    short = re.sub(r"^.*(site-packages|dist-packages|python3\.\d+)/", "", path)
    short = re.sub(r"^.*?/(?=(bot|handlers|storage|locales|tests)/)", "", short)
    return library(path), f"{match['function']} ({short})", match["line"] or "?"


def render(summary: Summary, top: int = 25, *, gil: bool = False) -> str:
    total = summary.samples or 1
    what = "of the thread holding the GIL" if gil else "of threads running or ready to run"
    lines = [f"{summary.samples} samples {what}", "",
             "| library | self | inclusive |", "|---|---:|---:|"]
    for lib, count in summary.self_by_library.most_common():
        if count / total < 0.005:
            continue
        lines.append(f"| {lib} | {100 * count / total:.1f} % | "
                     f"{100 * summary.inclusive_by_library[lib] / total:.1f} % |")
    lines += ["", f"| top {top} functions by self time (their busiest line) | library | self |",
              "|---|---|---:|"]
    for (lib, name), count in summary.self_by_function.most_common(top):
        lines.append(f"| `{summary.busiest_line(lib, name)}` | {lib} | "
                     f"{100 * count / total:.1f} % |")
    return "\n".join(lines)


def py_spy() -> str:
    """The py-spy next to this Python (the bench extra installs it), else the one on PATH."""
    beside = Path(sys.executable).with_name("py-spy")
    return str(beside) if beside.exists() else "py-spy"


def start_recording(pid: int, seconds: float, out: Path, *,
                    gil: bool = False) -> subprocess.Popen[bytes]:
    """py-spy attached to ``pid`` for ``seconds``, writing collapsed stacks to ``out``.

    py-spy pauses the process for each sample (consistent stacks); at 200 samples/s that slows
    the bot a little, so a profiled run's figures are not the benchmark's figures. ``gil``: only
    the thread holding the GIL, i.e. Python work alone; native calls that release the GIL
    (socket sends, SQLite steps) and threads waiting for a core or for the GIL are left out.
    """
    return subprocess.Popen(
        [py_spy(), "record", "--pid", str(pid), "--duration", str(max(1, round(seconds))),
         "--rate", "200", "--format", "raw", "--output", str(out), *(["--gil"] if gil else [])],
        stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
