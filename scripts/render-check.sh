#!/usr/bin/env bash
# Look at a report the way people will: headless Chromium screenshots report.html, LibreOffice
# converts report.xlsx and report.docx to PDF and pdftoppm turns their pages into PNGs. Needs
# the Debian packages chromium, libreoffice-calc-nogui, libreoffice-writer-nogui,
# poppler-utils and fonts-noto-cjk (not needed by `cargo test`).
#   scripts/render-check.sh REPORT_DIR [OUT_DIR]
set -euo pipefail
dir=$(cd "$1" && pwd)
out=${2:-$dir/render-check}
mkdir -p "$out"
profile=$(mktemp -d)
browser() {
  chromium --headless --no-sandbox --disable-gpu --disable-quic --no-first-run \
    --disable-background-networking --disable-component-update --disable-sync \
    --user-data-dir="$profile" --hide-scrollbars "$@" "file://$dir/report.html" 2>/dev/null
}
# The whole page: a screenshot as tall as the page (measured by printing it first), and
# the page as printed (A4), one PNG per sheet of paper.
browser --no-pdf-header-footer --print-to-pdf="$out/report-html.pdf"
pdftoppm -r 60 -png "$out/report-html.pdf" "$out/report-html-print"
pages=$(pdfinfo "$out/report-html.pdf" | awk '/^Pages/ {print $2}')
browser --window-size=1200,$((pages * 1700)) --screenshot="$out/report-html.png"
soffice --headless "-env:UserInstallation=file://$profile/lo" --convert-to pdf --outdir "$out" "$dir/report.xlsx" >/dev/null 2>&1
pdftoppm -r 60 -png "$out/report.pdf" "$out/report-xlsx"
if [ -f "$dir/report.docx" ]; then
  # Written to a folder of its own: both documents are called report.
  soffice --headless "-env:UserInstallation=file://$profile/lo" --convert-to pdf --outdir "$out/docx" "$dir/report.docx" >/dev/null 2>&1
  mv "$out/docx/report.pdf" "$out/report-docx.pdf" && rmdir "$out/docx"
  pdftoppm -r 60 -png "$out/report-docx.pdf" "$out/report-docx"
  echo "docx: $out/report-docx.pdf ($(pdfinfo "$out/report-docx.pdf" | awk '/^Pages/ {print $2}') pages) and $out/report-docx-*.png"
fi
rm -rf "$profile"
echo "html: $out/report-html.png (the whole page), $out/report-html.pdf ($pages pages printed) and $out/report-html-print-*.png"
echo "xlsx: $out/report.pdf ($(pdfinfo "$out/report.pdf" | awk '/^Pages/ {print $2}') pages) and $out/report-xlsx-*.png"
