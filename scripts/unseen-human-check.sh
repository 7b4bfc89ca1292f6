#!/usr/bin/env bash
# False-positive check on human music the detector never saw: the soundtracks of three Debian games (Battle for
# Wesnoth, Hedgewars, FreedroidRPG; 83 tracks, composed and produced by people, free licences), scored by the shipped
# model as they are and after the manipulations given (default: a few codecs, pitch and tempo changes, noise, lo-fi).
# Nothing is copied into the repository: the packages are downloaded and unpacked into a cache directory.
#
#   bash scripts/unseen-human-check.sh [TRANSFORMS] [CACHE_DIR]
set -euo pipefail
transforms="${1:-none,mp3-128k,aac-128k,opus-48k,pitch+1,pitch-2,tempo-5,noise-30db,lofi}"
cache="${2:-${TMPDIR:-/tmp}/discern-unseen-human}"
repo="$(cd "$(dirname "$0")/.." && pwd)"
mkdir -p "$cache"
cd "$cache"
for package in wesnoth-1.16-music hedgewars-data freedroidrpg-data; do
  if ! ls "$package"_*.deb >/dev/null 2>&1; then apt-get download "$package"; fi
  if [ ! -e "unpacked/$package" ]; then dpkg -x "$package"_*.deb root && mkdir -p unpacked && touch "unpacked/$package"; fi
done
{
  echo "path,label,generator,source"
  find root -iname '*.ogg' -ipath '*music*' | sort | while read -r f; do
    case "$f" in
      *wesnoth*) source=wesnoth ;;
      *hedgewars*) source=hedgewars ;;
      *) source=freedroidrpg ;;
    esac
    echo "$f,human,human,$source"
  done
} > manifest.csv
echo "$(($(wc -l < manifest.csv) - 1)) tracks in $cache/manifest.csv" >&2
cd "$repo"
dotnet run --project src/Discern.Cli -c Release -- eval "$cache/manifest.csv" --transform "$transforms"
