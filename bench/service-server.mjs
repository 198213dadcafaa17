// Diagnostic server: Toolshed's own registry service (lib/registry/service.ts, Prisma and all) behind a
// bare node:http listener instead of Next. Comparing it with `next start` and with the pg baseline
// splits Toolshed's cost into "Next" and "service + Prisma". Env: DATABASE_URL, NEXTAUTH_SECRET, PORT.
import http from "node:http";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { register } from "tsx/esm/api";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
register({ tsconfig: path.join(root, "tsconfig.json") });
const { listServers, getServerVersion } = await import("../lib/registry/service.ts");
const { ANONYMOUS } = await import("../lib/auth/principal.ts");

const DETAIL = /^\/v0(?:\.1)?\/servers\/([^/]+)\/versions\/([^/]+)$/;

const server = http.createServer(async (req, res) => {
  try {
    const url = new URL(req.url, "http://x");
    let body;
    if (url.pathname === "/v0.1/servers" || url.pathname === "/v0/servers") body = await listServers(ANONYMOUS, Object.fromEntries(url.searchParams));
    else {
      const m = DETAIL.exec(url.pathname);
      if (!m) throw Object.assign(new Error("not found"), { status: 404 });
      body = await getServerVersion(ANONYMOUS, decodeURIComponent(m[1]), decodeURIComponent(m[2]), false);
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

const shutdown = () => server.close(() => process.exit(0));
process.on("SIGTERM", shutdown);
process.on("SIGINT", shutdown);
