#!/usr/bin/env bash
# Print the migration SQL between two Prisma datamodels, without Prisma 7's native schema engine.
#   npm run db:sql -- empty prisma/schema.prisma          # full CREATE script
#   npm run db:sql -- /tmp/old.prisma prisma/schema.prisma  # ALTER script from old to new
# Uses the isolated prisma@6 in this folder (Wasm engine). It needs some reachable Postgres: it uses
# $DATABASE_URL if set, otherwise starts a throwaway Debian postgres-15 cluster and stops it after.
# Only the SQL goes to stdout; everything else goes to stderr.
set -euo pipefail

[ $# -eq 2 ] || { echo "usage: sqlgen.sh <empty|old.prisma> <new.prisma>" >&2; exit 2; }
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
cd "${INIT_CWD:-$PWD}"   # npm run changes directory; resolve paths against the caller's
for f in "$@"; do
  [ "$f" = empty ] || [ -f "$f" ] || { echo "sqlgen: no such file: $f" >&2; exit 2; }
done

if [ ! -x "$here/node_modules/.bin/prisma" ]; then
  echo "sqlgen: installing prisma@6 into $here/node_modules (first use)" >&2
  npm install --prefix "$here" --no-audit --no-fund --loglevel=error >&2
fi

tmp="$(mktemp -d)"
chmod 755 "$tmp"
pg=""
cleanup() {
  [ -z "$pg" ] || as_pg "$pg/pg_ctl" -D "$tmp/pg" -m immediate stop >/dev/null 2>&1 || true
  rm -rf "$tmp"
}
trap cleanup EXIT

as_pg() { if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi; }

# Prisma 6 requires a datasource url and Prisma 7 forbids it: put it into temp copies.
with_url() {
  awk '/^[[:space:]]*datasource[[:space:]]+[A-Za-z0-9_]+[[:space:]]*\{/ { print; print "  url = env(\"DATABASE_URL\")"; ds=1; next }
       ds && /^[[:space:]]*url[[:space:]]*=/ { next }
       ds && /\}/ { ds=0 }
       { print }' "$1" > "$2"
}

if [ -z "${DATABASE_URL:-}" ]; then
  pg=/usr/lib/postgresql/15/bin
  mkdir "$tmp/pg"
  [ "$(id -u)" != 0 ] || chown postgres:postgres "$tmp/pg"
  as_pg "$pg/initdb" -D "$tmp/pg" -U postgres --auth=trust -E UTF8 --no-sync >/dev/null
  for _ in 1 2 3 4 5; do
    port=$((20000 + RANDOM % 40000))
    if as_pg "$pg/pg_ctl" -D "$tmp/pg" -l "$tmp/pg/server.log" -w \
        -o "-p $port -k $tmp/pg -c listen_addresses=127.0.0.1 -c fsync=off" start >/dev/null; then
      export DATABASE_URL="postgresql://postgres@127.0.0.1:$port/postgres"
      break
    fi
  done
  [ -n "${DATABASE_URL:-}" ] || { cat "$tmp/pg/server.log" >&2; echo "sqlgen: could not start postgres" >&2; exit 1; }
fi

if [ "$1" = empty ]; then from=(--from-empty); else with_url "$1" "$tmp/old.prisma"; from=(--from-schema-datamodel "$tmp/old.prisma"); fi
with_url "$2" "$tmp/new.prisma"

(cd "$here" && PRISMA_QUERY_ENGINE_LIBRARY=/bin/false CHECKPOINT_DISABLE=1 PRISMA_HIDE_UPDATE_MESSAGE=1 \
  ./node_modules/.bin/prisma migrate diff --config prisma.config.ts "${from[@]}" \
  --to-schema-datamodel "$tmp/new.prisma" --script -o "$tmp/out.sql" >&2)
# Drop prisma@6's `CREATE SCHEMA IF NOT EXISTS "public"` (from-empty only): it needs CREATE on the
# database even when the schema exists, which restricted roles on managed Postgres lack.
sed '/^-- CreateSchema$/{N;/\nCREATE SCHEMA IF NOT EXISTS "public";$/{N;d}}' "$tmp/out.sql"
