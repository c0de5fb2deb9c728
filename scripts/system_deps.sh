#!/usr/bin/env bash
# Debian packages some tests need: chromium (Voila dashboards in a real browser), LibreOffice calc
# (recalculating exported workbooks) and poppler-utils (PDF -> PNG for looking at sheets).
# As root (CI), installs what is missing; otherwise prints the one command to run. Tests that need a
# missing program skip with that reason.
set -u
need=()
command -v chromium >/dev/null 2>&1 || need+=(chromium)
command -v soffice >/dev/null 2>&1 || need+=(libreoffice-calc-nogui)
command -v pdftoppm >/dev/null 2>&1 || need+=(poppler-utils)
fc-list 2>/dev/null | grep -qi dejavu || need+=(fonts-dejavu-core)
if [ ${#need[@]} -eq 0 ]; then
  exit 0
fi
if [ "$(id -u)" -eq 0 ] && command -v apt-get >/dev/null 2>&1; then
  echo "system-deps: installing ${need[*]} (Debian packages)"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq && apt-get install -y -qq "${need[@]}" >/dev/null \
    || { echo "system-deps: apt-get failed; browser/LibreOffice tests will skip" >&2; exit 0; }
else
  echo "system-deps: missing ${need[*]}. Install with:"
  echo "  sudo apt-get install -y ${need[*]}"
  echo "Tests that need them will be skipped."
fi
exit 0
