#!/usr/bin/env bash
# Load check of `discern serve` on loopback: N uploads, C at a time, against a server with a small queue.
# Prints the status codes, the slowest /health answer during the run, and the spooled files left afterwards.
# Usage: bash scripts/load-check.sh [N=60] [C=12] [AUDIO=samples/warzone2100-aftermath-track25-excerpt.ogg]
set -euo pipefail
cd "$(dirname "$0")/.."
N=${1:-60}; C=${2:-12}; AUDIO=${3:-samples/warzone2100-aftermath-track25-excerpt.ogg}
PORT=5187; SPOOL=$(mktemp -d); OUT=$(mktemp -d)
dotnet build src/Discern.Cli -c Release -v q -nologo >/dev/null
Discern__TempDirectory=$SPOOL Discern__MaxQueuedAnalyses=4 Discern__MaxConcurrentAnalyses=2 Discern__UploadsPerMinutePerClient=0 \
  dotnet run --no-build --project src/Discern.Cli -c Release -- serve --urls http://127.0.0.1:$PORT >"$OUT/server.log" 2>&1 &
SERVER=$!
trap 'kill $SERVER 2>/dev/null || true; rm -rf "$SPOOL" "$OUT"' EXIT
for _ in $(seq 1 50); do curl -sf http://127.0.0.1:$PORT/health >/dev/null && break; sleep 0.2; done
( while true; do curl -s -o /dev/null -w '%{time_total}\n' http://127.0.0.1:$PORT/health >>"$OUT/health.txt"; sleep 0.1; done ) &
PROBE=$!
start=$(date +%s.%N)
seq 1 "$N" | xargs -P "$C" -I{} curl -s -o /dev/null -w '%{http_code}\n' -F "file=@$AUDIO" "http://127.0.0.1:$PORT/api/v1/analyses?wait=true" >"$OUT/codes.txt"
end=$(date +%s.%N)
kill $PROBE
sleep 1
echo "uploads: $N, $C at a time, $(echo "$end - $start" | bc) s"
sort "$OUT/codes.txt" | uniq -c | sed 's/^/  HTTP /'
echo "health probes: $(wc -l <"$OUT/health.txt"), slowest $(sort -n "$OUT/health.txt" | tail -1) s"
echo "spooled files left: $(find "$SPOOL" -type f | wc -l)"
