import http from "node:http";
import fc from "fast-check";

/**
 * Arbitraries for fuzzing Toolshed's HTTP surface with fast-check: path segments, query strings,
 * headers and bodies made of what broke HTTP servers before (malformed and double percent-encoding,
 * NUL bytes, lone surrogates, overlong UTF-8, dot segments, near-miss JSON-RPC) mixed with random text.
 * Runs use a fixed seed so a failure is reproducible and the run time is bounded.
 */

export const FUZZ_SEED = 20_261_207;

const TRICKY = [
  "%zz", "%", "%4", "%2500", "%00", "%ED%A0%80", "%C0%AF", "%FF", "%2F", "%2f", "..", ".", "%2e%2e", "%0A", "%0D%0A",
  "%E2%80%AE", "%F0%9F%98%80", "%25", "%u0000", "io.test", "fuzz", "io.test%2Ffuzz", "io.test/fuzz", "latest", "1.0.0", "é", "ÿ", "~", "a;b", "",
  "io.test%2Ffuzz%2500", "1.0.0%2500", "fuzz%2500", "%25ED%25A0%2580", "%25zz",
];

/** One path segment as it appears on the wire (already percent-encoded, or not). */
export const rawSegment = fc.oneof({ arbitrary: fc.constantFrom(...TRICKY), weight: 3 }, { arbitrary: fc.stringMatching(/^[A-Za-z0-9._~!$&'()*+,;=:@%-]{0,16}$/), weight: 1 });

const QUERY_KEYS = ["limit", "cursor", "search", "version", "updated_since", "include_deleted", "q", "server", "from", "to", "range", "page", "session", "token", "status", "tool", "type", "bucket"];
export const rawQuery = fc
  .array(fc.tuple(fc.constantFrom(...QUERY_KEYS), fc.oneof(rawSegment, fc.constantFrom("1", "-1", "0", "1e400", "true", "yes", "2025-01-01T00:00:00Z", "9999-99-99"))), { maxLength: 4 })
  .map((pairs) => pairs.map(([k, v]) => `${k}=${v}`).join("&"));

const headerText = fc.stringMatching(/^[\x20-\x7e]{0,40}$/);
const PROTOCOLS = ["2024-11-05", "2025-06-18", "2025-11-25", "2026-07-28", "", "9999-99-99", "latest"];

/** Request headers a client may send, with `token` (a real one) in some of them so requests get past authentication. */
export function headersArb(token: string) {
  return fc.record(
    {
      authorization: fc.oneof(fc.constant(`Bearer ${token}`), fc.constant(`Bearer ${token}`), headerText.map((t) => `Bearer ${t}`), headerText),
      "content-type": fc.constantFrom("application/json", "application/json; charset=utf-8", "text/plain", "application/x-www-form-urlencoded", "application/problem+json"),
      accept: fc.constantFrom("application/json, text/event-stream", "text/event-stream", "application/json", "*/*"),
      "mcp-session-id": headerText,
      "mcp-protocol-version": fc.oneof(fc.constantFrom(...PROTOCOLS), headerText),
      "mcp-method": fc.oneof(fc.constantFrom("tools/call", "tools/list", "=?base64?dG9vbHMvY2FsbA==?=", "=?base64?%%%?="), headerText),
      "mcp-name": fc.oneof(fc.constantFrom("echo", "secret", "=?base64?ZWNobw==?="), headerText),
      origin: fc.constantFrom("http://localhost:3000", "https://evil.example", "null", ""),
      traceparent: fc.oneof(fc.constant("00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01"), headerText),
      "last-event-id": headerText,
      "x-forwarded-for": fc.oneof(fc.constantFrom("1.2.3.4", "::1, 10.0.0.1", "not-an-ip", "999.1.1.1"), headerText),
    },
    { requiredKeys: [] },
  );
}

const METHODS = ["initialize", "tools/call", "tools/list", "prompts/get", "resources/read", "resources/subscribe", "completion/complete", "Tools/Call", "tools/call ", "notifications/initialized", "server/discover", "subscriptions/listen"];
const jsonRpcish = fc
  .record(
    {
      jsonrpc: fc.oneof(fc.constant("2.0"), fc.constant("2.0"), fc.constant("1.0"), fc.integer()),
      id: fc.oneof(fc.integer(), fc.string(), fc.constant(null), fc.double(), fc.object()),
      method: fc.oneof(fc.constantFrom(...METHODS), fc.string(), fc.array(fc.string(), { maxLength: 2 })),
      params: fc.oneof(fc.record({ name: fc.oneof(fc.string(), fc.constantFrom("echo", "secret")), uri: fc.string(), arguments: fc.jsonValue() }, { requiredKeys: [] }), fc.array(fc.string()), fc.constant(null), fc.jsonValue()),
      result: fc.jsonValue(),
    },
    { requiredKeys: [] },
  )
  .map((m) => JSON.stringify(m));

/** Text that escapes lone surrogates and NUL bytes as JSON allows (`\ud800`, `\u0000`). */
const escapedTrouble = fc
  .tuple(fc.constantFrom("\\ud800", "\\udfff", "\\u0000", "\\ud83d\\ude00", "\\u202e"), fc.constantFrom("name", "description", "version", "title", "slug", "email", "role", "scopes", "rules", "uri"))
  .map(([esc, key]) => `{"${key}":"a${esc}b","jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"x${esc}"}}`);

/** A request body: JSON-RPC-like messages, any JSON, escaped trouble, or bytes that are not UTF-8. */
export const bodyArb = fc.oneof(
  jsonRpcish,
  fc.jsonValue().map((v) => JSON.stringify(v)),
  escapedTrouble,
  fc.uint8Array({ maxLength: 64 }).map((b) => Buffer.from(b)),
  fc.constantFrom("", "{", "[]", "[{}]", "null", '"x"', "{}", '{"__proto__":{"admin":true}}'),
);

export interface RawAnswer {
  status: number;
  body: string;
}

/**
 * One request exactly as given (path bytes, headers and body are not normalised the way fetch would),
 * resolved with the status and up to 4 KB of the body; event streams are cut after their headers.
 */
export function rawRequest(base: string, opts: { method: string; path: string; headers?: Record<string, string>; body?: string | Buffer }, timeoutMs = 10_000): Promise<RawAnswer> {
  const url = new URL(base);
  return new Promise((resolve, reject) => {
    // A fresh connection per request: a reused one the server closed after an earlier answer would look like a failure of this one.
    const req = http.request({ host: url.hostname, port: url.port, method: opts.method, path: opts.path, headers: opts.headers, timeout: timeoutMs, agent: false }, (res) => {
      if (String(res.headers["content-type"]).startsWith("text/event-stream")) {
        res.destroy();
        return resolve({ status: res.statusCode ?? 0, body: "" });
      }
      let body = "";
      res.on("data", (c: Buffer) => {
        if (body.length < 4096) body += c.toString();
      });
      res.on("end", () => resolve({ status: res.statusCode ?? 0, body }));
      res.on("error", reject);
    });
    req.on("timeout", () => req.destroy(new Error(`no answer within ${timeoutMs} ms to ${opts.method} ${opts.path}`)));
    req.on("error", reject);
    req.end(opts.method === "GET" || opts.method === "HEAD" ? undefined : opts.body);
  });
}
