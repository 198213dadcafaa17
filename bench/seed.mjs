// Bulk seeding for the benchmarks: one Server and one latest ServerVersion row per server.json, in
// batches of plain SQL (tens of thousands of rows in about a second). Column names follow prisma/migrations.
import { randomBytes } from "node:crypto";

const id = (prefix, i) => `${prefix}${i.toString(36).padStart(6, "0")}${randomBytes(6).toString("hex")}`;

/** Inserts `entries` (server.json documents with unique names) through a connected pg client. */
export async function seedServers(client, entries, batch = 1000) {
  for (let off = 0; off < entries.length; off += batch) {
    const servers = [];
    const versions = [];
    entries.slice(off, off + batch).forEach((sj, j) => {
      const sid = id("s", off + j);
      servers.push({ id: sid, name: sj.name, title: sj.title ?? null, description: sj.description ?? "" });
      versions.push({ id: id("v", off + j), serverId: sid, version: sj.version, serverJson: sj });
    });
    await client.query("BEGIN");
    await client.query(
      `INSERT INTO "Server" (id, name, title, description, visibility, "reviewState", status, "createdAt", "updatedAt")
       SELECT x.id, x.name, x.title, x.description, 'ORG', 'APPROVED', 'ACTIVE', now() AT TIME ZONE 'UTC', now() AT TIME ZONE 'UTC'
       FROM json_to_recordset($1::json) AS x(id text, name text, title text, description text)`,
      [JSON.stringify(servers)],
    );
    await client.query(
      `INSERT INTO "ServerVersion" (id, "serverId", version, "serverJson", status, "isLatest", "isLatestApproved", "reviewState", "publishedAt", "statusChangedAt", "updatedAt")
       SELECT x.id, x."serverId", x.version, x."serverJson", 'ACTIVE', true, true, 'APPROVED', now() AT TIME ZONE 'UTC', now() AT TIME ZONE 'UTC', now() AT TIME ZONE 'UTC'
       FROM json_to_recordset($1::json) AS x(id text, "serverId" text, version text, "serverJson" jsonb)`,
      [JSON.stringify(versions)],
    );
    await client.query("COMMIT");
  }
  await client.query("VACUUM ANALYZE");
}
