#!/usr/bin/env bash
# Renders the sample's monthly report (October 2026, as the README shows it) and its
# screenshots in headless Chromium: the first screen on a desk (1200 px wide) and on a
# phone (390 px), as docs/img/report-desk.png and docs/img/report-phone.png.
#
#     bash scripts/report_screenshots.sh [OUTDIR]
#
# Needs chromium (Debian: apt-get install -y chromium fonts-wqy-microhei; or set
# CAREDESK_CHROMIUM to a Chrome binary).
set -euo pipefail
cd "$(dirname "$0")/.."
out=${1:-docs/img}
mkdir -p "$out"
browser=${CAREDESK_CHROMIUM:-chromium}
command -v "$browser" >/dev/null || { echo "no $browser: apt-get install -y chromium" >&2; exit 1; }
cargo build --release --quiet
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
target/release/caredesk report --as-of 2026-11-22 --output "$work/report-2026-10.html"
shot() { # name width height
  "$browser" --headless --no-sandbox --disable-gpu --disable-background-networking \
    --disable-component-update --disable-sync --no-first-run --hide-scrollbars \
    --user-data-dir="$work/profile-$1" --window-size="$2,$3" \
    --screenshot="$out/report-$1.png" "file://$work/report-2026-10.html" 2>/dev/null
}
shot desk 1200 1500
shot phone 390 1400
echo "wrote $out/report-desk.png and $out/report-phone.png"
