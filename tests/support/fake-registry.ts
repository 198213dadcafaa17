import http from "node:http";
import type { AddressInfo } from "node:net";

export interface UpstreamEntry {
  server: { name: string; version: string } & Record<string, unknown>;
  status: "active" | "deprecated" | "deleted";
  statusMessage?: string;
  publishedAt: string;
  updatedAt: string;
}

const byKey = (a: UpstreamEntry, b: UpstreamEntry) =>
  a.server.name < b.server.name ? -1 : a.server.name > b.server.name ? 1 : a.server.version < b.server.version ? -1 : a.server.version > b.server.version ? 1 : 0;

/**
 * A real HTTP server answering `GET /v0.1/servers` the way the official registry does: keyset pages by
 * (name, version) with an opaque `name:version` cursor, `updated_since` (strict, implies deleted entries),
 * `include_deleted`, and `_meta["io.modelcontextprotocol.registry/official"]` on every item.
 */
export async function startFakeRegistry(entries: UpstreamEntry[]) {
  const requests: URL[] = [];
  const state = { entries, failWith: 0 };
  const server = http.createServer((req, res) => {
    const url = new URL(req.url ?? "/", "http://registry.test");
    requests.push(url);
    const send = (status: number, body: unknown) => {
      res.writeHead(status, { "content-type": status === 200 ? "application/json" : "application/problem+json" });
      res.end(JSON.stringify(body));
    };
    if (state.failWith) return send(state.failWith, { title: "Internal Server Error", status: state.failWith });
    if (req.method !== "GET" || url.pathname !== "/v0.1/servers") return send(404, { title: "Not Found", status: 404 });
    const limit = Number(url.searchParams.get("limit") ?? 30);
    const since = url.searchParams.get("updated_since");
    const includeDeleted = since !== null || url.searchParams.get("include_deleted") === "true";
    const cursor = url.searchParams.get("cursor");
    const after = cursor ? { name: cursor.slice(0, cursor.lastIndexOf(":")), version: cursor.slice(cursor.lastIndexOf(":") + 1) } : undefined;
    const matching = [...state.entries]
      .filter((e) => (since === null || Date.parse(e.updatedAt) > Date.parse(since)) && (includeDeleted || e.status !== "deleted"))
      .filter((e) => !after || byKey(e, { server: after } as UpstreamEntry) > 0)
      .sort(byKey);
    const page = matching.slice(0, limit);
    const last = page.at(-1);
    send(200, {
      servers: page.map((e) => ({
        server: e.server,
        _meta: {
          "io.modelcontextprotocol.registry/official": {
            status: e.status,
            statusChangedAt: e.updatedAt,
            ...(e.statusMessage ? { statusMessage: e.statusMessage } : {}),
            publishedAt: e.publishedAt,
            updatedAt: e.updatedAt,
            isLatest: true,
          },
        },
      })),
      metadata: { count: page.length, ...(matching.length > limit && last ? { nextCursor: `${last.server.name}:${last.server.version}` } : {}) },
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    state,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
