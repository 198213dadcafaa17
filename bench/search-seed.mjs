// The data of the search and catalog-page benchmarks (bench/search.mjs, bench/catalog.mjs): servers and
// tools made from the real corpus, seeded with set-based SQL in the shape the registry and recordProbe write.
import pg from "pg";

export const TEAMS = 20;
const PUB = "io.modelcontextprotocol.registry/publisher-provided";

export const teamId = (t) => `bench-team-${String(t).padStart(2, "0")}`;
export const teamSlug = (t) => `team-${String(t).padStart(2, "0")}`;
export const sid = (i) => `bench-s-${String(i).padStart(6, "0")}`;
export const vid = (i) => `bench-v-${String(i).padStart(6, "0")}`;
export const setId = (i) => `bench-ts-${String(i).padStart(6, "0")}`;

/**
 * Entry i is corpus[i mod 700] renamed `<name>-v<k>` (k = ⌊i / 700⌋, as in the registry benchmark).
 * From k = 1 on, its long description gains the (real) description of another entry and its tags
 * one tag of that entry, so copies of an entry do not index identically. Visibility, owner team,
 * review, status and health vary by i so that facets and restricted scopes have something to do.
 */
export function makeServers(corpus, n, now) {
  const out = [];
  for (let i = 0; i < n; i++) {
    const base = corpus[i % corpus.length];
    const k = Math.floor(i / corpus.length);
    const meta = base._meta?.[PUB] ?? {};
    let sj = { ...base, name: `${base.name}-v${k}` };
    if (k > 0) {
      const other = corpus[(i * 31 + 7) % corpus.length];
      const otherTags = other._meta?.[PUB]?.tags ?? [];
      sj = {
        ...sj,
        _meta: {
          ...base._meta,
          [PUB]: {
            ...meta,
            longDescription: [meta.longDescription ?? base.description, other.description].filter(Boolean).join(" "),
            tags: [...new Set([...(meta.tags ?? []), ...otherTags.slice(0, 1)])],
          },
        },
      };
    }
    const r = i % 20;
    const visibility = r < 15 ? "ORG" : r < 19 ? "TEAM" : "PRIVATE";
    const owner = visibility === "ORG" && i % 4 === 0 ? null : teamId((i * 7) % TEAMS);
    const access = visibility === "TEAM" ? [teamId((i + 3) % TEAMS), teamId((i + 11) % TEAMS)].filter((t) => t !== owner) : [];
    const review = i % 20 === 17 ? "PENDING" : i % 50 === 13 ? "REJECTED" : "APPROVED";
    const status = i % 40 === 39 ? "DEPRECATED" : "ACTIVE";
    out.push({ i, base, sj, visibility, owner, access, review, status, updatedAt: new Date(now - i * 37_000).toISOString() });
  }
  return out;
}

/**
 * Tool sets: a server whose corpus entry has a real tool list gets that list; every other server gets
 * a slice of the 755 real tools (distinct names, starting at a position that depends on i), with
 * counts that vary (0 to 2× the mean) and add up to exactly `total`.
 */
export function assignTools(servers, toolLists, total, fp) {
  const pool = [];
  const realOf = new Map();
  for (const l of toolLists) {
    const idx = [];
    for (const t of l.tools) {
      idx.push(pool.length);
      pool.push({ idx: pool.length, name: t.name, definition: t, fingerprint: fp.definitionFingerprint("TOOL", t) });
    }
    realOf.set(l.server, idx);
  }
  const real = servers.map((s) => realOf.get(s.base.name));
  const realTotal = real.reduce((a, r) => a + (r?.length ?? 0), 0);
  const others = real.filter((r) => !r).length;
  const mean = Math.max(0, (total - realTotal) / Math.max(1, others));
  const WEIGHTS = [0, 0.3, 0.5, 0.8, 1, 1.2, 1.5, 2, 0.7, 2];
  const distinctNames = new Set(pool.map((p) => p.name)).size;
  const counts = servers.map((s, j) => (real[j] ? real[j].length : Math.min(distinctNames, Math.round(WEIGHTS[s.i % 10] * mean))));
  let diff = total - counts.reduce((a, c) => a + c, 0);
  for (let j = 0; diff !== 0 && j < servers.length * 4; j++) {
    const at = j % servers.length;
    if (real[at] || WEIGHTS[servers[at].i % 10] === 0) continue;
    const step = diff > 0 ? 1 : -1;
    if (counts[at] + step < 1 || counts[at] + step > distinctNames) continue;
    counts[at] += step;
    diff -= step;
  }
  servers.forEach((s, j) => {
    if (real[j]) {
      s.tools = real[j];
      return;
    }
    const picked = [];
    const names = new Set();
    for (let p = (s.i * 131) % pool.length; picked.length < counts[j]; p = (p + 1) % pool.length) {
      if (names.has(pool[p].name)) continue;
      names.add(pool[p].name);
      picked.push(p);
    }
    s.tools = picked;
  });
  for (const s of servers) {
    s.setFingerprint = s.tools.length ? fp.setFingerprint(s.tools.map((p) => ({ kind: "TOOL", name: pool[p].name, fingerprint: pool[p].fingerprint }))) : null;
    const reachable = s.i % 25 === 5 ? "DOWN" : s.i % 30 === 7 ? "DEGRADED" : s.i % 45 === 11 ? "AUTH_REQUIRED" : "UP";
    s.health = s.tools.length ? reachable : s.i % 3 === 0 ? "ERROR" : null;
  }
  return pool;
}

/** Set-based inserts (jsonb_to_recordset), the same row shapes the import and recordProbe write. */
export async function seed(url, servers, pool) {
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  try {
    const teams = Array.from({ length: TEAMS }, (_, t) => ({ id: teamId(t), slug: teamSlug(t), name: `Team ${t}` }));
    await c.query(
      `INSERT INTO "Team" (id, slug, name, "updatedAt") SELECT x.id, x.slug, x.name, now() FROM jsonb_to_recordset($1::jsonb) AS x(id text, slug text, name text)`,
      [JSON.stringify(teams)],
    );
    await c.query(`CREATE TEMP TABLE bench_pool (idx int PRIMARY KEY, name text, definition jsonb, fingerprint text)`);
    await c.query(`INSERT INTO bench_pool SELECT * FROM jsonb_to_recordset($1::jsonb) AS x(idx int, name text, definition jsonb, fingerprint text)`, [JSON.stringify(pool)]);
    const BATCH = 1000;
    for (let off = 0; off < servers.length; off += BATCH) {
      const batch = servers.slice(off, off + BATCH);
      const rows = batch.map((s) => ({
        id: sid(s.i),
        vid: vid(s.i),
        name: s.sj.name,
        title: s.sj.title ?? null,
        description: s.sj.description ?? null,
        version: s.sj.version,
        serverJson: s.sj,
        visibility: s.visibility,
        owner: s.owner,
        review: s.review,
        status: s.status,
        health: s.health,
        updatedAt: s.updatedAt,
      }));
      await c.query("BEGIN");
      await c.query(
        `INSERT INTO "Server" (id, name, title, description, visibility, "reviewState", status, "ownerTeamId", health, "createdAt", "updatedAt")
         SELECT x.id, x.name, x.title, x.description, x.visibility::"Visibility", x.review::"ReviewState", x.status::"ServerStatus", x.owner,
                x.health::"ProbeOutcome", x."updatedAt", x."updatedAt"
         FROM jsonb_to_recordset($1::jsonb) AS x(id text, name text, title text, description text, visibility text, review text, status text,
                                                 owner text, health text, "updatedAt" timestamp)`,
        [JSON.stringify(rows)],
      );
      await c.query(
        `INSERT INTO "ServerVersion" (id, "serverId", version, "serverJson", status, "isLatest", "reviewState", "publishedAt", "statusChangedAt", "updatedAt")
         SELECT x.vid, x.id, x.version, x."serverJson", x.status::"ServerStatus", true, x.review::"ReviewState", x."updatedAt", x."updatedAt", x."updatedAt"
         FROM jsonb_to_recordset($1::jsonb) AS x(id text, vid text, version text, "serverJson" jsonb, status text, review text, "updatedAt" timestamp)`,
        [JSON.stringify(rows)],
      );
      const access = batch.flatMap((s) => s.access.map((t) => ({ s: sid(s.i), t })));
      if (access.length)
        await c.query(`INSERT INTO "ServerTeamAccess" ("serverId", "teamId") SELECT x.s, x.t FROM jsonb_to_recordset($1::jsonb) AS x(s text, t text)`, [
          JSON.stringify(access),
        ]);
      // Tool sets as recordProbe writes them: definitions of the version, one ToolSet, its members,
      // and the version's current set with the denormalised count, first 50 names and fingerprint.
      const sets = batch
        .filter((s) => s.tools.length)
        .map((s) => ({ v: vid(s.i), s: setId(s.i), fp: s.setFingerprint, tools: s.tools, approved: s.review === "APPROVED" }));
      if (sets.length) {
        await c.query(`CREATE TEMP TABLE bench_map ON COMMIT DROP AS SELECT * FROM jsonb_to_recordset($1::jsonb) AS x(v text, s text, fp text, tools int[], approved boolean)`, [
          JSON.stringify(sets),
        ]);
        await c.query(`INSERT INTO "ToolSet" (id, "serverVersionId", fingerprint, "firstSeenAt", "lastSeenAt") SELECT s, v, fp, now(), now() FROM bench_map`);
        await c.query(
          `INSERT INTO "ToolDefinition" (id, "serverVersionId", kind, name, definition, fingerprint, "firstSeenAt", "lastSeenAt")
           SELECT m.v || '-d' || t.ord, m.v, 'TOOL', p.name, p.definition, p.fingerprint, now(), now()
           FROM bench_map m CROSS JOIN LATERAL unnest(m.tools) WITH ORDINALITY AS t(idx, ord) JOIN bench_pool p ON p.idx = t.idx`,
        );
        await c.query(
          `INSERT INTO "_ToolSetMembers" ("A", "B") SELECT m.v || '-d' || t.ord, m.s FROM bench_map m CROSS JOIN LATERAL unnest(m.tools) WITH ORDINALITY AS t(idx, ord)`,
        );
        await c.query(
          `UPDATE "ServerVersion" v SET "currentToolSetId" = m.s, "toolCount" = cardinality(m.tools), "toolSetFingerprint" = m.fp,
                  "approvedFingerprint" = CASE WHEN m.approved THEN m.fp END,
                  "toolNames" = ARRAY(SELECT p.name FROM unnest(m.tools[1:50]) WITH ORDINALITY AS t(idx, ord) JOIN bench_pool p ON p.idx = t.idx ORDER BY t.ord)
           FROM bench_map m WHERE v.id = m.v`,
        );
      }
      await c.query("COMMIT");
    }
    // The outbox triggers queued every row written above; a full rebuild is what indexes them here.
    await c.query(`DELETE FROM "SearchOutbox"`);
    await c.query("VACUUM ANALYZE");
    const [{ servers: ns, tools: nt, sets: nsets }] = (
      await c.query(
        `SELECT (SELECT count(*) FROM "Server")::int AS servers, (SELECT count(*) FROM "ToolDefinition")::int AS tools, (SELECT count(*) FROM "ToolSet")::int AS sets`,
      )
    ).rows;
    return { servers: ns, tools: nt, sets: nsets };
  } finally {
    await c.end();
  }
}
