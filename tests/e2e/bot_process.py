"""`python -m bot …` as a user starts it: a subprocess configured only through its
environment, whose stderr (the log) is read line by line while it runs."""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
import sys
from collections.abc import AsyncIterator, Callable, Mapping
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[2]
# variables of the test runner's environment that must not leak into the bot's
_APP_PREFIXES = ("DISCORD_", "DATABASE_", "GOOGLE_", "OPENLIBRARY_", "METADATA_", "SHARD_")


class BotProcess:
    """A running ``python -m bot`` with its log lines collected as they come."""

    def __init__(self, process: asyncio.subprocess.Process) -> None:
        self.process = process
        self.lines: list[str] = []
        self._changed = asyncio.Event()
        assert process.stderr is not None
        self._reader = asyncio.create_task(self._read(process.stderr))

    @property
    def log(self) -> str:
        return "\n".join(self.lines)

    @property
    def returncode(self) -> int | None:
        return self.process.returncode

    async def _read(self, stream: asyncio.StreamReader) -> None:
        while line := await stream.readline():
            self.lines.append(line.decode(errors="replace").rstrip("\n"))
            self._changed.set()
        self._changed.set()

    async def wait_for_line(self, match: str | Callable[[str], bool], timeout: float) -> str:
        """The first log line containing ``match`` (or for which it is true)."""
        check = match if callable(match) else (lambda line: match in line)
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        seen = 0
        while True:
            for line in self.lines[seen:]:
                if check(line):
                    return line
            seen = len(self.lines)
            if self._reader.done():
                raise AssertionError(f"the bot exited before logging {match!r}:\n{self.log}")
            remaining = deadline - loop.time()
            if remaining <= 0:
                raise AssertionError(f"no log line {match!r} within {timeout} s:\n{self.log}")
            self._changed.clear()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._changed.wait(), remaining)

    async def stop(self, sig: int = signal.SIGINT, timeout: float = 30.0) -> float:
        """Send ``sig`` and wait for the exit; returns the seconds it took (killed and
        failed after ``timeout``)."""
        loop = asyncio.get_running_loop()
        started = loop.time()
        if self.process.returncode is None:
            self.process.send_signal(sig)
        try:
            await asyncio.wait_for(self.process.wait(), timeout)
        except TimeoutError:
            self.process.kill()
            await self.process.wait()
            raise AssertionError(f"the bot did not exit within {timeout} s:\n{self.log}") from None
        await self._reader
        return loop.time() - started


@contextlib.asynccontextmanager
async def bot_process(
    cwd: Path, env: Mapping[str, str], *args: str, module: str = "bot"
) -> AsyncIterator[BotProcess]:
    """Start ``python -m <module> [args]`` (default ``bot run``) in ``cwd`` with the test
    runner's environment minus the app's variables, plus ``env``. Killed at exit if it
    still runs."""
    full_env = {k: v for k, v in os.environ.items() if not k.startswith(_APP_PREFIXES)}
    full_env["PYTHONPATH"] = str(REPO_ROOT)  # for modules of tests/ (e.g. slow_bot)
    full_env.update(env)
    command = ["-m", module, *(args or ("run",))]
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        *command,
        cwd=cwd,
        env=full_env,
        stdin=asyncio.subprocess.DEVNULL,
        stdout=asyncio.subprocess.DEVNULL,
        stderr=asyncio.subprocess.PIPE,
    )
    running = BotProcess(process)
    try:
        yield running
    finally:
        if process.returncode is None:
            process.kill()
            await process.wait()
        await running._reader
