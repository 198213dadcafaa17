// Bare `node:http` + `pg` server answering the registry list and detail calls with the same SQL shape
// and wire format as Toolshed (lib/registry/{repository,service,wire}.ts): the floor Toolshed is held to.
// Statements are named (prepared once per connection), as a competent hand-written server would do.
// Env: DATABASE_URL, PORT, CURSOR_KEY. Prints "listening <port>" once ready.
import { createHmac } from "node:crypto";
import http from "node:http";
import pg from "pg";

// TIMESTAMP(3) columns hold UTC (that is how Prisma writes them); read them as UTC too.
pg.types.setTypeParser(1114, (s) => new Date(s.replace(" ", "T") + "Z"));

const pool = new pg.Pool({ connectionString: process.env.DATABASE_URL, max: 10 });
const KEY = process.env.CURSOR_KEY ?? "baseline";
const OFFICIAL = "io.modelcontextprotocol.registry/official";
const TOOLSHED = "io.toolshed/registry";

// Same SELECT, joins, visibility and review conditions (anonymous scope: org-public, no teams, approved
// versions only, "latest" = latest approved) and order as Toolshed.
const LATEST = `(CASE WHEN s."ownerTeamId" = ANY($1::text[]) THEN v."isLatest" ELSE v."isLatestApproved" END)`;
const SERVED = `(v."reviewState" = 'APPROVED' OR s."ownerTeamId" = ANY($1::text[]))`;
const SELECT = `
  SELECT s.id AS "serverId", v.id AS "versionId", s.name, v.version, v."serverJson", v.status::text AS status,
         v."statusMessage", v."statusChangedAt", v."publishedAt", v."updatedAt", ${LATEST} AS "isLatest",
         v."reviewState"::text AS "reviewState", s.visibility::text AS visibility, t.slug AS "ownerTeam", i.location AS source,
         v."toolCount", v."toolNames", v."toolSetFingerprint", s.health::text AS health, s."uptime30d", s."p50LatencyMs",
         s."lastProbedAt", s."changedSinceApproval"
  FROM "ServerVersion" v
  JOIN "Server" s ON s.id = v."serverId"
  LEFT JOIN "Team" t ON t.id = s."ownerTeamId"
  LEFT JOIN "ImportSource" i ON i.id = s."importSourceId"`;
const VISIBLE = `(s.visibility = 'ORG' OR s."ownerTeamId" = ANY($1::text[])
    OR (s.visibility = 'TEAM' AND EXISTS (SELECT 1 FROM "ServerTeamAccess" a WHERE a."serverId" = s.id AND a."teamId" = ANY($1::text[]))))`;

const sign = (payload) => createHmac("sha256", KEY).update(payload).digest().subarray(0, 12).toString("base64url");
const encodeCursor = (after, latest) => {
  const payload = Buffer.from(JSON.stringify([after, latest])).toString("base64url");
  return `${payload}.${sign(payload)}`;
};
const decodeCursor = (c) => {
  const [payload, mac] = c.split(".");
  if (!payload || mac !== sign(payload)) throw Object.assign(new Error("Invalid cursor"), { status: 400 });
  return JSON.parse(Buffer.from(payload, "base64url").toString("utf8"));
};

const lower = (s) => s.toLowerCase();
const wire = (r) => ({
  server: r.serverJson,
  _meta: {
    [OFFICIAL]: {
      status: lower(r.status),
      ...(r.statusMessage ? { statusMessage: r.statusMessage } : {}),
      publishedAt: r.publishedAt.toISOString(),
      updatedAt: r.updatedAt.toISOString(),
      isLatest: r.isLatest,
    },
    [TOOLSHED]: {
      ownerTeam: r.ownerTeam,
      visibility: lower(r.visibility),
      reviewState: lower(r.reviewState),
      source: r.source,
      statusChangedAt: r.statusChangedAt.toISOString(),
      tools: r.toolCount === null ? null : { count: r.toolCount, names: r.toolNames ?? [], fingerprint: r.toolSetFingerprint },
      health:
        r.health === null || r.lastProbedAt === null
          ? null
          : { status: lower(r.health), uptime30d: r.uptime30d, p50LatencyMs: r.p50LatencyMs, lastProbedAt: r.lastProbedAt.toISOString() },
      changedSinceApproval: r.changedSinceApproval,
    },
  },
});

async function list(q) {
  const limit = Math.min(Math.max(Number(q.get("limit") ?? 30) || 30, 1), 100);
  const state = q.get("cursor") ? decodeCursor(q.get("cursor")) : undefined;
  const latest = state ? state[1] : q.get("version") === "latest";
  const params = [[]];
  const where = [VISIBLE, SERVED, `v.status <> 'DELETED'`];
  if (latest) where.push(LATEST);
  if (state) {
    params.push(state[0][0], state[0][1]);
    where.push(`s.name >= $2 AND (s.name, v.version) > ($2, $3)`);
  }
  params.push(limit);
  const text = `${SELECT} WHERE ${where.join(" AND ")} ORDER BY s.name, v.version LIMIT $${params.length}`;
  const { rows } = await pool.query({ name: `list${state ? "c" : ""}${latest ? "l" : ""}`, text, values: params });
  const last = rows.at(-1);
  return {
    servers: rows.map(wire),
    metadata: { ...(rows.length >= limit && last ? { nextCursor: encodeCursor([last.name, last.version], latest) } : {}), count: rows.length },
  };
}

async function detail(name, version) {
  const which = version === "latest" ? LATEST : `v.version = $3`;
  const params = version === "latest" ? [[], name] : [[], name, version];
  const text = `${SELECT} WHERE s.name = $2 AND ${which} AND ${VISIBLE} AND ${SERVED} LIMIT 1`;
  const { rows } = await pool.query({ name: version === "latest" ? "detail-latest" : "detail", text, values: params });
  if (!rows[0] || rows[0].status === "DELETED") throw Object.assign(new Error(`Server ${name} not found`), { status: 404 });
  return wire(rows[0]);
}

const DETAIL = /^\/v0(?:\.1)?\/servers\/([^/]+)\/versions\/([^/]+)$/;

const server = http.createServer(async (req, res) => {
  try {
    const url = new URL(req.url, "http://x");
    let body;
    if (url.pathname === "/v0.1/servers" || url.pathname === "/v0/servers") body = await list(url.searchParams);
    else {
      const m = DETAIL.exec(url.pathname);
      if (!m) throw Object.assign(new Error("not found"), { status: 404 });
      body = await detail(decodeURIComponent(m[1]), decodeURIComponent(m[2]));
    }
    res.writeHead(200, { "content-type": "application/json", "access-control-allow-origin": "*" });
    res.end(JSON.stringify(body));
  } catch (e) {
    const status = e.status ?? 500;
    res.writeHead(status, { "content-type": "application/problem+json" });
    res.end(JSON.stringify({ type: "about:blank", status, detail: e.message }));
  }
});

server.listen(Number(process.env.PORT ?? 0), "127.0.0.1", () => {
  console.log(`listening ${server.address().port}`);
});

const shutdown = () => server.close(() => pool.end().finally(() => process.exit(0)));
process.on("SIGTERM", shutdown);
process.on("SIGINT", shutdown);
