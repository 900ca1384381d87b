#!/usr/bin/env bash
# Fetch the JavaScript the site serves locally (see book/_static/vendor/README.md).
set -euo pipefail
cd "$(dirname "$0")/.."
work="$(mktemp -d)"; trap 'rm -rf "$work"' EXIT
(cd "$work" && npm pack --silent @jupyter-widgets/html-manager@1.0.15 requirejs@2.3.8 >/dev/null)
mkdir -p "$work/widgets" "$work/require"
tar xzf "$work"/jupyter-widgets-html-manager-1.0.15.tgz -C "$work/widgets"
tar xzf "$work"/requirejs-2.3.8.tgz -C "$work/require"
cp "$work/widgets/package/dist/embed-amd.js" book/_static/vendor/
cp "$work/widgets/package/dist/embed.js.LICENSE.txt" book/_static/vendor/embed-amd.js.LICENSE.txt
cp "$work/require/package/require.js" book/_static/vendor/
fonts=book/_extra/@jupyter-widgets/html-manager/dist
mkdir -p "$fonts"
cp "$work"/widgets/package/dist/*.woff2 "$fonts/"
echo "vendored into book/_static/vendor and $fonts"
