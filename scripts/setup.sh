#!/usr/bin/env bash
# Installs what Discern needs beyond the .NET 10 SDK: ffmpeg (AAC/Opus/video decoding, eval transforms, tests)
# and chromium (the web page's real-browser test drives Debian's chromium headless through Playwright).
set -euo pipefail
if ! command -v dotnet >/dev/null 2>&1; then
  echo "Discern needs the .NET 10 SDK (https://dot.net); install it first." >&2
  exit 1
fi
missing=()
command -v ffmpeg >/dev/null 2>&1 || missing+=(ffmpeg)
[ -x /usr/bin/chromium ] || missing+=(chromium)
if [ ${#missing[@]} -gt 0 ]; then
  SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${missing[@]}" >/dev/null
fi
