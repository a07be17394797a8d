"""The import's time target counted in CPU instructions, which a busy machine does not change.

``python -m benchmarks.import_instructions`` prepares one SQLite database (two companies,
the master data) and the 10,000-row workbook of ``bench_import``, then runs three children under
``valgrind --tool=callgrind``, each on its own copy of the database and each warmed up alike
(the 200-row warm-up import and read): one stops there, one then reads the workbook with
openpyxl (the anchor), one then imports it and writes the result workbook. The anchor's and the
import's instructions are each child's count minus the first's. Hash randomisation is off, so
a rerun on the same code gives nearly the same counts. It takes about four minutes on two
cores; the wall-clock figures stay in ``benchmarks/run --only import``.
"""

from __future__ import annotations

import argparse
import gc
import os
import re
import shutil
import subprocess
import sys
import tempfile
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from benchmarks.bench_import import (
    FIRST_SERIAL,
    NOW,
    SMALL,
    WARM_UP,
    anchor_seconds,
    customer_number,
    devices,
    import_once,
    write_template,
)
from benchmarks.support import REPO, enrol, load_campaign, log, sqlite_engine
from core.template import Limits
from storage.db import make_engine

STEPS = ("warm-up only", "anchor", "import")
_COLLECTED = re.compile(r"Collected : (\d+)")


def prepare(folder: Path) -> None:
    """The database and both workbooks, outside valgrind."""
    campaign = load_campaign()
    small = devices(campaign, FIRST_SERIAL, SMALL)
    warm = devices(campaign, FIRST_SERIAL + SMALL, WARM_UP)
    with sqlite_engine(folder / "base.sqlite3") as engine:
        enrol(engine, campaign, [customer_number(i) for i in range(2)], small + warm, NOW)
    write_template(folder / "small.xlsx", campaign, small)
    write_template(folder / "warm.xlsx", campaign, warm)


def child(step: str, folder: Path) -> None:
    """One counted process: the same set-up and warm-up, then ``step``."""
    with tempfile.TemporaryDirectory(prefix="cashback-instructions-") as own:
        database = Path(own) / "db.sqlite3"
        shutil.copy(folder / "base.sqlite3", database)
        engine = make_engine(f"sqlite:///{database}")
        campaign = load_campaign()
        small, warm = (folder / "small.xlsx").read_bytes(), (folder / "warm.xlsx").read_bytes()
        anchor_seconds(warm)
        import_once(engine, campaign, warm, 1, Limits())
        gc.collect()
        if step == "anchor":
            anchor_seconds(small)
        elif step == "import":
            import_once(engine, campaign, small, 0, Limits())
        engine.dispose()


def counted(step: str, folder: Path) -> int:
    """Instructions the child for ``step`` executed, as callgrind counts them."""
    done = subprocess.run(
        ["valgrind", "--tool=callgrind", f"--callgrind-out-file={folder}/{step}.callgrind",
         sys.executable, "-m", "benchmarks.import_instructions", "--child", step, str(folder)],
        cwd=REPO, env={**os.environ, "PYTHONHASHSEED": "0"}, capture_output=True, text=True,
        check=True)
    found = _COLLECTED.search(done.stderr)
    if found is None:
        raise SystemExit(f"callgrind printed no count for {step}:\n{done.stderr[-2000:]}")
    return int(found[1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--child", choices=STEPS)
    parser.add_argument("folder", nargs="?", type=Path)
    args = parser.parse_args()
    if args.child:
        child(args.child, args.folder)
        return
    if shutil.which("valgrind") is None:
        raise SystemExit("valgrind is not installed (apt-get install valgrind)")
    with tempfile.TemporaryDirectory(prefix="cashback-instructions-") as name:
        folder = Path(name)
        log(f"import instructions: preparing {SMALL:,} rows")
        prepare(folder)
        log("import instructions: three children under callgrind (a few minutes)")
        with ThreadPoolExecutor(len(STEPS)) as pool:
            base, anchor, imported = pool.map(lambda step: counted(step, folder), STEPS)
    anchor_count, import_count = anchor - base, imported - base
    print(f"{SMALL:,} rows: anchor {anchor_count / 1e6:,.0f} M instructions, import "
          f"{import_count / 1e6:,.0f} M, ratio {import_count / anchor_count:.3f}")


if __name__ == "__main__":
    main()
