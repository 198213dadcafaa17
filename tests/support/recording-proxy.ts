import http from "node:http";
import type { AddressInfo } from "node:net";

export interface RecordedRequest {
  method: string;
  url: string;
  headers: http.IncomingHttpHeaders;
}

export interface RecordingProxy {
  url: string;
  requests: RecordedRequest[];
  stop(): Promise<void>;
}

/**
 * A reverse proxy in front of a real MCP server that records every request's headers, so a test can
 * see exactly what Toolshed sent upstream. With `requireHeader`, requests without that header and
 * value get a 401 (as a server with an API key would answer); `stripPrefix` removes a path prefix
 * (e.g. a `{tenant}` segment filled in from a URL variable) before forwarding.
 */
export async function startRecordingProxy(upstreamUrl: string, opts: { requireHeader?: [string, string]; stripPrefix?: string } = {}): Promise<RecordingProxy> {
  const upstream = new URL(upstreamUrl);
  const requests: RecordedRequest[] = [];
  const server = http.createServer((req, res) => {
    requests.push({ method: req.method ?? "GET", url: req.url ?? "/", headers: { ...req.headers } });
    if (opts.requireHeader && req.headers[opts.requireHeader[0].toLowerCase()] !== opts.requireHeader[1]) {
      res.writeHead(401, { "content-type": "application/json", "www-authenticate": 'Bearer error="invalid_token"' });
      return void res.end('{"error":"unauthorized"}');
    }
    let path = req.url ?? "/";
    if (opts.stripPrefix && path.startsWith(opts.stripPrefix)) path = path.slice(opts.stripPrefix.length) || "/";
    const forward = http.request(
      { host: upstream.hostname, port: upstream.port, method: req.method, path, headers: { ...req.headers, host: upstream.host } },
      (up) => {
        res.writeHead(up.statusCode ?? 502, up.headers);
        up.pipe(res);
      },
    );
    forward.on("error", () => {
      if (!res.headersSent) res.writeHead(502);
      res.end();
    });
    req.pipe(forward);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}${upstream.pathname}`,
    requests,
    async stop() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
