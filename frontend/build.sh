#!/usr/bin/env bash
# Bundle the exercise editor (CodeMirror 6 from the npm registry, versions pinned in package-lock.json) into one
# file the app serves itself: static/vendor/codemirror/editor.js. Run after changing package.json or src/.
set -euo pipefail
cd "$(dirname "$0")"
npm ci --no-audit --no-fund
mkdir -p ../static/vendor/codemirror
npx esbuild src/editor.js --bundle --minify --format=iife --target=es2020 --legal-comments=eof \
  --outfile=../static/vendor/codemirror/editor.js
cp node_modules/codemirror/LICENSE ../static/vendor/codemirror/LICENSE
echo "built static/vendor/codemirror/editor.js ($(wc -c < ../static/vendor/codemirror/editor.js) bytes)"
