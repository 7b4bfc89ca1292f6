#!/usr/bin/env bash
# Checks that a scan's memory does not grow with the number of files: generates N distinct 0.1-second WAV files in
# 200 folders, scans them into a fresh SQLite catalogue, and prints elapsed time and peak RSS.
# Usage: bash scripts/scan-many.sh [N] [WORK_DIR]   (default 20000 files in /tmp/discern-scan-many)
set -euo pipefail
cd "$(dirname "$0")/.."
n=${1:-20000}
work=${2:-/tmp/discern-scan-many}
python3 - "$n" "$work/music" <<'PY'
import os, random, struct, sys
n, root = int(sys.argv[1]), sys.argv[2]
rnd = random.Random(1)
for i in range(n):
    folder = os.path.join(root, f"{i % 200:03d}")
    os.makedirs(folder, exist_ok=True)
    path = os.path.join(folder, f"c{i}.wav")
    if os.path.exists(path):
        continue
    rate, count = 8000, 800
    data = struct.pack(f"<{count}h", *[rnd.randint(-3000, 3000) for _ in range(count)])
    header = b"RIFF" + struct.pack("<I", 36 + len(data)) + b"WAVEfmt " + struct.pack("<IHHIIHH", 16, 1, 1, rate, rate * 2, 2, 16) \
        + b"data" + struct.pack("<I", len(data))
    with open(path, "wb") as f:
        f.write(header + data)
PY
dotnet build src/Discern.Cli -c Release -v q -nologo >/dev/null
rm -f "$work/cat.db" "$work/cat.db-wal" "$work/cat.db-shm"
/usr/bin/time -f "%e s elapsed, peak RSS %M KB" dotnet src/Discern.Cli/bin/Release/net10.0/discern.dll scan "$work/music" --db "$work/cat.db" --progress none
