#!/usr/bin/env bash
# Installs what Discern needs beyond the .NET 10 SDK: ffmpeg (AAC/Opus/video decoding, eval transforms, tests),
# libmpg123 and libvorbisfile (MP3 and Ogg Vorbis decoding six to seven and 1.4 times as fast as the managed fallbacks;
# ffmpeg usually brings libmpg123 already) and chromium (the web page's real-browser test drives Debian's chromium headless through Playwright).
set -euo pipefail
if ! command -v dotnet >/dev/null 2>&1; then
  echo "Discern needs the .NET 10 SDK (https://dot.net); install it first." >&2
  exit 1
fi
missing=()
command -v ffmpeg >/dev/null 2>&1 || missing+=(ffmpeg)
[ -x /usr/bin/chromium ] || missing+=(chromium)
need_mpg123=0
ls /usr/lib/*/libmpg123.so.0 /usr/lib/libmpg123.so.0 >/dev/null 2>&1 || need_mpg123=1
need_vorbisfile=0
ls /usr/lib/*/libvorbisfile.so.3 /usr/lib/libvorbisfile.so.3 >/dev/null 2>&1 || need_vorbisfile=1
if [ ${#missing[@]} -gt 0 ] || [ "$need_mpg123" = 1 ] || [ "$need_vorbisfile" = 1 ]; then
  SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO="sudo"
  $SUDO apt-get update -qq
  if [ "$need_mpg123" = 1 ]; then
    # Debian 13 renamed the package in its 64-bit time_t transition.
    if apt-cache show libmpg123-0t64 >/dev/null 2>&1; then missing+=(libmpg123-0t64); else missing+=(libmpg123-0); fi
  fi
  if [ "$need_vorbisfile" = 1 ]; then missing+=(libvorbisfile3); fi
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${missing[@]}" >/dev/null
fi

# PostgreSQL: catalogue scans can store into it, and the storage tests run against a real server. Installs the
# Debian server if missing, starts the default cluster, and creates a 'discern' role (password 'discern', may create
# databases) that the tests use (override with DISCERN_TEST_POSTGRES="Host=…;Username=…;Password=…").
if [ "${DISCERN_SKIP_POSTGRES:-}" != "1" ]; then
  SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO="sudo"
  if ! command -v pg_ctlcluster >/dev/null 2>&1; then
    $SUDO apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq postgresql >/dev/null
  fi
  cluster=$(pg_lsclusters --no-header 2>/dev/null | awk 'NR==1 {print $1" "$2}')
  if [ -z "$cluster" ]; then
    echo "postgresql is installed but has no cluster; create one with pg_createcluster." >&2
    exit 1
  fi
  pg_lsclusters --no-header | awk 'NR==1 {print $4}' | grep -q online || $SUDO pg_ctlcluster $cluster start
  if [ "$(id -u)" -eq 0 ]; then as_postgres=(runuser -u postgres --); else as_postgres=(sudo -u postgres); fi
  "${as_postgres[@]}" psql -q -v ON_ERROR_STOP=1 >/dev/null <<'SQL'
DO $$ BEGIN
  IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'discern') THEN CREATE ROLE discern LOGIN PASSWORD 'discern' CREATEDB; END IF;
END $$;
-- Tests drop their databases WITH (FORCE), which must end an autovacuum worker that may be visiting them.
GRANT pg_signal_backend TO discern;
SQL
fi
