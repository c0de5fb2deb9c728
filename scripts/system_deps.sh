#!/usr/bin/env bash
# Debian packages some tests need: chromium (Voila dashboards in a real browser), LibreOffice calc
# (recalculating exported workbooks) and poppler-utils (PDF -> PNG for looking at sheets); then
# axe-core (the accessibility checker the browser tests inject into the dashboards), from the npm
# registry at the version pinned in package.json / package-lock.json (`npm ci`, into node_modules/).
# As root (CI), installs what is missing; otherwise prints the one command to run. Tests that need a
# missing program skip with that reason.
set -u
need=()
command -v chromium >/dev/null 2>&1 || need+=(chromium)
command -v soffice >/dev/null 2>&1 || need+=(libreoffice-calc-nogui)
command -v pdftoppm >/dev/null 2>&1 || need+=(poppler-utils)
fc-list 2>/dev/null | grep -qi dejavu || need+=(fonts-dejavu-core)
command -v npm >/dev/null 2>&1 || need+=(npm)
install_axe() {
  # axe-core for tests/test_dashboard_accessibility.py; never fetched at test time
  if [ -f node_modules/axe-core/axe.min.js ] && grep -q '"version": "'"$(sed -n 's/.*"axe-core": "\(.*\)".*/\1/p' package.json)"'"' node_modules/axe-core/package.json 2>/dev/null; then
    return 0
  fi
  if command -v npm >/dev/null 2>&1; then
    echo "system-deps: installing axe-core (npm ci, pinned in package-lock.json)"
    npm ci --no-audit --no-fund --ignore-scripts --loglevel=error >/dev/null \
      || echo "system-deps: npm ci failed; the accessibility tests will skip" >&2
  else
    echo "system-deps: npm missing; the accessibility tests will skip"
  fi
}
cd "$(dirname "$0")/.."
if [ ${#need[@]} -eq 0 ]; then
  install_axe
  exit 0
fi
if [ "$(id -u)" -eq 0 ] && command -v apt-get >/dev/null 2>&1; then
  echo "system-deps: installing ${need[*]} (Debian packages)"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq && apt-get install -y -qq "${need[@]}" >/dev/null \
    || { echo "system-deps: apt-get failed; browser/LibreOffice tests will skip" >&2; install_axe; exit 0; }
else
  echo "system-deps: missing ${need[*]}. Install with:"
  echo "  sudo apt-get install -y ${need[*]}"
  echo "Tests that need them will be skipped."
fi
install_axe
exit 0
