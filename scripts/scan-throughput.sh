#!/usr/bin/env bash
# Measures catalogue-scan throughput and peak memory: generates N short music-like files (half WAV, half MP3, 10 s,
# 44.1 kHz stereo), then scans them into a fresh SQLite catalogue with 1 worker and with one worker per core, and
# (if a PostgreSQL server is reachable) into PostgreSQL. Usage: bash scripts/scan-throughput.sh [N] [WORK_DIR]
set -euo pipefail
cd "$(dirname "$0")/.."
n=${1:-1000}
work=${2:-/tmp/discern-scan-throughput}
pg=${DISCERN_TEST_POSTGRES:-Host=localhost;Username=discern;Password=discern;Database=postgres}
mkdir -p "$work/music"
if [ "$(find "$work/music" -type f | wc -l)" -lt "$n" ]; then
  echo "generating $n files in $work/music…"
  for i in $(seq 1 "$n"); do
    ext=wav; [ $((i % 2)) -eq 0 ] && ext=mp3
    f="$work/music/$((i % 20))/clip-$i.$ext"
    mkdir -p "$(dirname "$f")"
    [ -f "$f" ] || ffmpeg -loglevel error -f lavfi -i "anoisesrc=d=10:c=pink:r=44100:seed=$i:a=0.2" \
      -f lavfi -i "sine=f=$((110 + i % 400)):d=10:r=44100" -filter_complex "amix=inputs=2,pan=stereo|c0=c0|c1=c0" "$f"
  done
fi
dotnet build src/Discern.Cli -c Release -v q -nologo >/dev/null
cli="dotnet src/Discern.Cli/bin/Release/net10.0/discern.dll"
run() { # label, workers, db
  rm -f "$3" "$3-wal" "$3-shm"
  /usr/bin/time -f "%e s elapsed, peak RSS %M KB" -o "$work/time.txt" $cli scan "$work/music" --db "$3" --workers "$2" --progress none | grep -E "^Done"
  echo "  [$1] $(cat "$work/time.txt")"
}
echo "== $n files, $(nproc) cores"
run "sqlite, 1 worker" 1 "$work/one.db"
run "sqlite, $(nproc) workers" "$(nproc)" "$work/all.db"
echo "== rescan of the same catalogue (nothing changed)"
/usr/bin/time -f "  %e s elapsed, peak RSS %M KB" $cli scan "$work/music" --db "$work/all.db" --progress none | grep -E "^Done"
if PGPASSWORD=discern psql "$(echo "$pg" | sed 's/;/ /g; s/Host=/host=/; s/Username=/user=/; s/Password=/password=/; s/Database=/dbname=/')" -qc "DROP DATABASE IF EXISTS discern_throughput" -c "CREATE DATABASE discern_throughput" 2>/dev/null; then
  pgdb="$(echo "$pg" | sed 's/Database=[^;]*/Database=discern_throughput/')"
  /usr/bin/time -f "  [postgresql, $(nproc) workers] %e s elapsed, peak RSS %M KB" $cli scan "$work/music" --db "$pgdb" --progress none | grep -E "^Done"
fi
