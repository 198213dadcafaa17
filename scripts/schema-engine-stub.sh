#!/bin/sh
# Prisma 7's CLI wants a native schema engine it cannot download here. `prisma generate` does not
# need it; migrations are SQL files applied by lib/db/migrate.ts (see README, "Authoring a migration").
echo "schema-engine is not available on this machine; author migrations with 'npm run db:sql'" >&2
exit 1
