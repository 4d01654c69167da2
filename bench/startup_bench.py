"""`factory --help` wall time against `python -c pass`, measured in the same run.

Usage: python bench/startup_bench.py [--runs N]
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import time


def median_seconds(argv: list[str], runs: int) -> float:
    samples = []
    for _ in range(runs):
        start = time.perf_counter()
        subprocess.run(argv, check=True, stdout=subprocess.DEVNULL,
                       env={**os.environ, "LITELLM_LOCAL_MODEL_COST_MAP": "True"})
        samples.append(time.perf_counter() - start)
    return statistics.median(samples)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=15)
    runs = parser.parse_args().runs
    baseline = median_seconds([sys.executable, "-c", "pass"], runs)
    help_time = median_seconds([sys.executable, "-m", "pipeline", "--help"], runs)
    litellm = median_seconds([sys.executable, "-c", "import litellm"], max(3, runs // 5))
    print(f"python -c pass        median {baseline * 1000:7.1f} ms")
    print(f"factory --help        median {help_time * 1000:7.1f} ms  ({help_time / baseline:.1f}x)")
    print(f"python -c 'import litellm' {litellm * 1000:7.1f} ms  ({litellm / baseline:.1f}x, "
          "what --help avoids)")


if __name__ == "__main__":
    main()
