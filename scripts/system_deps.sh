#!/usr/bin/env bash
# Debian packages some tests need: chromium (Voila dashboards in a real browser), LibreOffice calc
# (recalculating exported workbooks) and poppler-utils (PDF -> PNG for looking at sheets); then the
# JavaScript pinned in package.json / package-lock.json, from the npm registry (`npm ci`, into
# node_modules/): plotly.js's finance partial bundle, which the dashboards draw their charts with, and
# axe-core, the accessibility checker the browser tests inject into the dashboards.
# As root (CI), installs what is missing; otherwise prints the one command to run. Tests that need a
# missing program skip with that reason; without the partial bundle the dashboards draw with the full
# plotly.js of the jupyterlab-plotly extension (slower to start).
# `--js`: only npm (when missing) and the JavaScript (what `make dashboards` needs).
set -u
need=()
if [ "${1:-}" != "--js" ]; then
  command -v chromium >/dev/null 2>&1 || need+=(chromium)
  command -v soffice >/dev/null 2>&1 || need+=(libreoffice-calc-nogui)
  command -v pdftoppm >/dev/null 2>&1 || need+=(poppler-utils)
  fc-list 2>/dev/null | grep -qi dejavu || need+=(fonts-dejavu-core)
fi
command -v npm >/dev/null 2>&1 || need+=(npm)
pinned() {
  # is node_modules/<package> installed at the version package.json pins?
  local want
  want=$(sed -n 's/.*"'"$1"'": "\(.*\)".*/\1/p' package.json)
  [ -n "$want" ] && grep -q '"version": "'"$want"'"' "node_modules/$1/package.json" 2>/dev/null
}
LIGHT_PLOTLY=node_modules/plotly.js-finance-dist-min/plotly-finance.min.js
SERVED_PLOTLY=dashboards/jupyter/voila/templates/ddlab/static/plotly-finance.min.js
serve_plotly() {
  # the dashboards' template serves plotly.js's finance bundle from its static folder (a copy: the server
  # follows no link out of that folder)
  if [ -f "$LIGHT_PLOTLY" ] && ! cmp -s "$LIGHT_PLOTLY" "$SERVED_PLOTLY"; then
    mkdir -p "$(dirname "$SERVED_PLOTLY")" && cp "$LIGHT_PLOTLY" "$SERVED_PLOTLY.tmp" && mv "$SERVED_PLOTLY.tmp" "$SERVED_PLOTLY"
  fi
}
install_js() {
  # never fetched at run or test time
  if pinned axe-core && pinned plotly.js-finance-dist-min; then
    serve_plotly
    return 0
  fi
  if command -v npm >/dev/null 2>&1; then
    echo "system-deps: installing axe-core and plotly.js's finance bundle (npm ci, pinned in package-lock.json)"
    npm ci --no-audit --no-fund --ignore-scripts --loglevel=error >/dev/null \
      || echo "system-deps: npm ci failed; the accessibility tests will skip, the dashboards use the full plotly.js" >&2
  else
    echo "system-deps: npm missing; the accessibility tests will skip, the dashboards use the full plotly.js"
  fi
  serve_plotly
}
cd "$(dirname "$0")/.."
if [ ${#need[@]} -eq 0 ]; then
  install_js
  exit 0
fi
if [ "$(id -u)" -eq 0 ] && command -v apt-get >/dev/null 2>&1; then
  echo "system-deps: installing ${need[*]} (Debian packages)"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq && apt-get install -y -qq "${need[@]}" >/dev/null \
    || { echo "system-deps: apt-get failed; browser/LibreOffice tests will skip" >&2; install_js; exit 0; }
else
  echo "system-deps: missing ${need[*]}. Install with:"
  echo "  sudo apt-get install -y ${need[*]}"
  echo "Tests that need them will be skipped."
fi
install_js
exit 0
