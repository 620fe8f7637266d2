"""Running ``python -m bot`` as a subprocess, as a member of staff would from a shell."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path


def run_cli(
    cwd: Path, *args: str, env: dict[str, str] | None = None, timeout: float = 60
) -> subprocess.CompletedProcess[str]:
    """``python -m bot *args`` in ``cwd``, without the caller's DISCORD_/DATABASE_ settings
    (``env`` adds its own); never raises on a non-zero exit."""
    base = {k: v for k, v in os.environ.items() if not k.startswith(("DISCORD_", "DATABASE_"))}
    base.update(env or {})
    return subprocess.run(
        [sys.executable, "-m", "bot", *args],
        cwd=cwd,
        env=base,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )
