// First: Next sets up its runtime (AsyncLocalStorage and friends) before any other Next module loads.
import "next/dist/server/node-environment";
import http from "node:http";
import next from "next";
import { env } from "../env";
import { clientAddress } from "../http/client-address";
import { REGISTRY_CORS_HEADERS } from "../http/cors";
import { requestTargetProblem } from "../contracts/uri";
import { badRequest, guardListener } from "../http/listener";
import { hasSessionCookie } from "../http/route";
import { getVersionHandler, listServersHandler, listVersionsHandler } from "../http/registry-reads";
import { processGateway } from "../gateway/server";
import { ResponseCache, type CachedResponse } from "../registry/read-cache";
import { PROJECT_ROOT } from "./build";
import { stopOnSignals } from "./graceful";

type FastRoute = { pattern: RegExp; handle: (req: Request, params: Record<string, string>) => Response | Promise<Response> };

/**
 * Registry reads from IDEs are the hot path and need nothing of Next (no session, no rendering), so
 * they are answered by the same handlers without Next's router; everything else goes to Next.
 */
const FAST_ROUTES: FastRoute[] = [
  { pattern: /^\/v0(?:\.1)?\/servers$/, handle: (req) => listServersHandler(req, undefined) },
  { pattern: /^\/v0(?:\.1)?\/servers\/([^/]+)\/versions$/, handle: (req, p) => listVersionsHandler(req, { params: Promise.resolve({ name: p[1] }) }) },
  {
    pattern: /^\/v0(?:\.1)?\/servers\/([^/]+)\/versions\/([^/]+)$/,
    handle: (req, p) => getVersionHandler(req, { params: Promise.resolve({ name: p[1], version: p[2] }) }),
  },
];

function fastRoute(req: http.IncomingMessage): { route: FastRoute; match: RegExpExecArray } | undefined {
  // Browser sessions need next-auth inside Next; only cookie-less GETs take the fast path.
  if (req.method !== "GET" || hasSessionCookie(req.headers.cookie)) return undefined;
  const path = (req.url ?? "/").split("?")[0];
  for (const route of FAST_ROUTES) {
    const match = route.pattern.exec(path);
    if (match) return { route, match };
  }
  return undefined;
}

function send(res: http.ServerResponse, r: CachedResponse, cache: "hit" | "miss" | "bypass") {
  res.writeHead(r.status, { ...r.headers, ...REGISTRY_CORS_HEADERS, "content-length": String(r.body.length), "x-cache": cache });
  res.end(r.body);
}

/** The absolute URL of a request; a Host header that is no host name (`a b`, `[`) must not turn a read into a 500. */
function requestUrl(req: http.IncomingMessage): string {
  const path = req.url ?? "/";
  try {
    return new URL(path, `http://${req.headers.host ?? "localhost"}`).href;
  } catch {
    return new URL(path, "http://localhost").href;
  }
}

async function serveFast(req: http.IncomingMessage, res: http.ServerResponse, hit: { route: FastRoute; match: RegExpExecArray }, cache: ResponseCache) {
  // Only anonymous answers are shared: with a token the caller may see more than anonymous does.
  const shareable = cache.enabled && !req.headers.authorization;
  const key = req.url ?? "/";
  const cached = shareable ? cache.get(key) : undefined;
  if (cached) return send(res, cached, "hit");
  const headers = new Headers();
  for (const [k, v] of Object.entries(req.headers)) if (typeof v === "string") headers.set(k, v);
  const request = new Request(requestUrl(req), { method: "GET", headers });
  const response = await hit.route.handle(request, Object.fromEntries(hit.match.entries()));
  const fresh: CachedResponse = { status: response.status, headers: Object.fromEntries(response.headers), body: Buffer.from(await response.arrayBuffer()) };
  if (shareable && fresh.status === 200) cache.set(key, fresh);
  send(res, fresh, shareable ? "miss" : "bypass");
}

/**
 * The web process: Next for pages and APIs, with the registry read fast path in front. `stopped`
 * settles after SIGINT/SIGTERM once requests in flight ended and the gateway's usage events are written.
 */
export async function runWebServer(opts: { port: number; host: string; dev: boolean; cacheMs: number }) {
  const cache = new ResponseCache(opts.cacheMs);
  const app = next({ dev: opts.dev, dir: PROJECT_ROOT, hostname: opts.host, port: opts.port });
  const handle = app.getRequestHandler();
  await app.prepare();
  const gateway = processGateway();
  // Nothing a request does may throw out of the listener (see guardListener): a crash would drop every client's request.
  const server = http.createServer(
    guardListener((req, res) => {
      // The gateway streams and must add next to nothing: it answers before Next sees the request.
      if (gateway.handle(req, res)) return;
      const problem = requestTargetProblem(req.url ?? "/");
      if (problem) return badRequest(res, problem);
      const hit = fastRoute(req);
      // Next knows no socket: it and the routes behind it (sign-in limits) get the resolved client address.
      if (!hit) req.headers["x-forwarded-for"] = clientAddress(req.socket.remoteAddress ?? "", String(req.headers["x-forwarded-for"] ?? ""), env().TOOLSHED_TRUSTED_PROXIES);
      return hit ? serveFast(req, res, hit, cache) : handle(req, res);
    }),
  );
  server.keepAliveTimeout = 65_000;
  await new Promise<void>((resolve) => server.listen(opts.port, opts.host, resolve));
  // In flight first, then the usage events they recorded; the caller exits once `stopped` settles.
  const stopped = stopOnSignals(server, () => gateway.close());
  return { server, stopped };
}
