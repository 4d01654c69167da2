"""One way to run a subprocess: captured, capped output and a timeout that kills the whole group."""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import tempfile
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from pipeline.core.errors import FactoryError

DEFAULT_OUTPUT_CAP = 200_000


@dataclass(frozen=True)
class Result:
    command: str
    returncode: int
    stdout: str
    stderr: str
    timed_out: bool = False

    @property
    def ok(self) -> bool:
        return self.returncode == 0 and not self.timed_out

    def describe(self) -> str:
        return (
            f"command: {self.command}\nreturn code: {self.returncode}"
            f"{' (timed out)' if self.timed_out else ''}\n"
            f"stdout:\n{self.stdout}\nstderr:\n{self.stderr}"
        )


class CommandFailed(FactoryError):
    def __init__(self, result: Result) -> None:
        super().__init__(result.describe())
        self.result = result


def _read_capped(handle: BinaryIO, cap: int) -> str:
    handle.seek(0, os.SEEK_END)
    size = handle.tell()
    handle.seek(0)
    if size <= cap:
        return handle.read().decode("utf-8", "replace")
    head = handle.read(cap // 2).decode("utf-8", "replace")
    handle.seek(size - cap // 2)
    tail = handle.read().decode("utf-8", "replace")
    return f"{head}\n[... {size - cap} bytes of output cut ...]\n{tail}"


def run(
    argv: Sequence[str],
    *,
    cwd: Path | str | None = None,
    env: Mapping[str, str] | None = None,
    timeout: float | None = None,
    input_text: str | None = None,
    output_cap: int = DEFAULT_OUTPUT_CAP,
    check: bool = False,
    started: Callable[[int], None] | None = None,
) -> Result:
    """Run argv; on timeout the process group is killed, so children die with it. `started`
    is told the process group's id once it runs, so another thread can stop it early."""
    command = " ".join(argv)
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        proc = subprocess.Popen(
            list(argv),
            cwd=cwd,
            env=dict(env) if env is not None else None,
            stdin=subprocess.PIPE if input_text is not None else subprocess.DEVNULL,
            stdout=out,
            stderr=err,
            start_new_session=True,
        )
        timed_out = False
        try:
            if started is not None:
                started(proc.pid)
            if input_text is not None:
                assert proc.stdin is not None
                proc.stdin.write(input_text.encode())
                proc.stdin.close()
            returncode = proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            timed_out = True
            _kill_group(proc)
            returncode = proc.wait()
        except BaseException:
            _kill_group(proc)
            proc.wait()
            raise
        result = Result(
            command=command,
            returncode=returncode,
            stdout=_read_capped(out, output_cap),
            stderr=_read_capped(err, output_cap),
            timed_out=timed_out,
        )
    if check and not result.ok:
        raise CommandFailed(result)
    return result


def _kill_group(proc: subprocess.Popen[bytes]) -> None:
    with contextlib.suppress(ProcessLookupError):
        os.killpg(proc.pid, signal.SIGKILL)
