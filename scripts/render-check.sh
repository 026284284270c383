#!/usr/bin/env bash
# Look at a report the way people will: headless Chromium screenshots report.html, LibreOffice
# converts report.xlsx to PDF and pdftoppm turns its pages into PNGs. Needs the Debian
# packages chromium, libreoffice-calc-nogui, poppler-utils and fonts-noto-cjk (not needed by
# `cargo test`).
#   scripts/render-check.sh REPORT_DIR [OUT_DIR]
set -euo pipefail
dir=$(cd "$1" && pwd)
out=${2:-$dir/render-check}
mkdir -p "$out"
profile=$(mktemp -d)
chromium --headless --no-sandbox --disable-gpu --disable-quic --no-first-run \
  --disable-background-networking --disable-component-update --disable-sync \
  --user-data-dir="$profile" --hide-scrollbars --window-size=1200,3000 \
  --screenshot="$out/report-html.png" "file://$dir/report.html" 2>/dev/null
soffice --headless "-env:UserInstallation=file://$profile/lo" --convert-to pdf --outdir "$out" "$dir/report.xlsx" >/dev/null 2>&1
pdftoppm -r 60 -png "$out/report.pdf" "$out/report-xlsx"
rm -rf "$profile"
echo "html: $out/report-html.png"
echo "xlsx: $out/report.pdf ($(pdfinfo "$out/report.pdf" | awk '/^Pages/ {print $2}') pages) and $out/report-xlsx-*.png"
