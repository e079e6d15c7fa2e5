"""Run every benchmark (`make bench`). Each prints ratios to a baseline of the same run."""

import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent

if __name__ == "__main__":
    codes = [
        subprocess.call([sys.executable, str(HERE / name)], cwd=HERE)
        for name in (
            "bench_catalogue.py",
            "bench_vendors.py",
            "bench_procurement.py",
            "bench_contracts.py",
            "bench_assessments.py",
        )
    ]
    raise SystemExit(max(codes))
