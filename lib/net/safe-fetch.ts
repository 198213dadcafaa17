import { lookup } from "node:dns/promises";
import { Agent, buildConnector, fetch as undiciFetch, type RequestInit as UndiciRequestInit } from "undici";
import { env } from "@/lib/env";
import { AppError } from "@/lib/errors";
import { refusalReason } from "./address-policy";
import { addressInCidrs, type Cidr, isIpLiteral, parseAddress, unmapped } from "./cidr";
import { ownEndpointReason } from "./self";

/** Where sockets may be opened. */
export interface GuardOptions {
  /** Private/loopback networks Toolshed may reach (TOOLSHED_ALLOWED_NETWORKS); public addresses are always allowed. */
  allowedNetworks: readonly Cidr[];
  /** Host name → addresses. Default: the system resolver (`dns.lookup`, all addresses). */
  resolve?: (host: string) => Promise<string[]>;
  /** Time to open the TCP (and TLS) connection. Default 10 s. */
  connectTimeoutMs?: number;
  /**
   * The port Toolshed is configured to listen on (PORT): when set, Toolshed's own endpoints (lib/net/self.ts)
   * are refused too, whatever the allowed networks say. The gateway sets it: it must never call itself.
   */
  ownPort?: number;
}

export interface SafeFetchOptions extends GuardOptions {
  /** Redirects followed per request, each one checked again. Default 3. */
  maxRedirects?: number;
  /** Bytes read from one response body, counted while streaming. Default 10 MiB. */
  maxResponseBytes?: number;
}

const MiB = 1024 * 1024;
const REDIRECTS = new Set([301, 302, 303, 307, 308]);
const NULL_BODY = new Set([101, 103, 204, 205, 304]);
const CREDENTIAL_HEADERS = ["authorization", "cookie", "proxy-authorization"];

async function systemResolve(host: string): Promise<string[]> {
  return (await lookup(host, { all: true, verbatim: true })).map((a) => a.address);
}

/**
 * On an isolated network (and in test runs, which must not send traffic off the machine) public
 * addresses are switched off with TOOLSHED_OUTBOUND_PUBLIC=false: then only TOOLSHED_ALLOWED_NETWORKS is reachable.
 */
function publicRefusal(address: string, allowedNetworks: readonly Cidr[]): string | undefined {
  if (env().TOOLSHED_OUTBOUND_PUBLIC) return undefined;
  const parsed = parseAddress(address);
  if (parsed && addressInCidrs(unmapped(parsed), allowedNetworks)) return undefined;
  return "public address, and TOOLSHED_OUTBOUND_PUBLIC=false allows only TOOLSHED_ALLOWED_NETWORKS";
}

/**
 * Resolves `host` once and refuses it if any of its addresses is not allowed (nor, with `ownPort`, is
 * Toolshed itself on `port`); returns the checked addresses, without brackets.
 */
export async function checkedAddresses(host: string, opts: GuardOptions, port?: number): Promise<string[]> {
  const name = host.replace(/^\[|\]$/g, "");
  const addresses = isIpLiteral(name) ? [name] : await (opts.resolve ?? systemResolve)(name);
  if (!addresses.length) throw Object.assign(new Error(`${host} has no addresses`), { code: "ENOTFOUND" });
  for (const address of addresses) {
    const self = opts.ownPort !== undefined && port !== undefined ? ownEndpointReason(address, port, opts.ownPort) : undefined;
    const reason = self ?? refusalReason(address, opts.allowedNetworks);
    if (reason) throw new AppError("blocked_address", `Refused to connect to ${name} (${address}): ${reason}`);
  }
  // After the policy's own refusals, so a name that resolves to a private address is refused as such.
  for (const address of addresses) {
    const reason = publicRefusal(address, opts.allowedNetworks);
    if (reason) throw new AppError("blocked_address", `Refused to connect to ${name} (${address}): ${reason}`);
  }
  return addresses;
}

/**
 * An undici connector that opens sockets only to checked addresses. The original host stays in
 * `host`, so the Host header and TLS SNI/certificate checks still use the name, not the address.
 * `options` may be a function, read for every new connection (a configuration that changes).
 */
export function guardedConnector(options: GuardOptions | (() => GuardOptions)): buildConnector.connector {
  const current = typeof options === "function" ? options : () => options;
  const connect = buildConnector({ timeout: (typeof options === "function" ? undefined : options.connectTimeoutMs) ?? 10_000 });
  return (options, callback) => {
    const opts = current();
    const host = options.hostname;
    const port = Number(options.port) || (options.protocol === "https:" ? 443 : 80);
    const servername = options.servername || (isIpLiteral(host) ? undefined : host);
    const attempt = (addresses: string[], i: number, lastError?: Error) => {
      if (i >= addresses.length) return callback(lastError ?? new Error(`Could not connect to ${host}`), null);
      connect({ ...options, hostname: addresses[i], servername }, (...args) => {
        if (args[0]) attempt(addresses, i + 1, args[0]);
        else callback(...args);
      });
    };
    checkedAddresses(host, opts, port).then(
      (addresses) => attempt(addresses, 0),
      (e: unknown) => callback(e instanceof Error ? e : new Error(String(e)), null),
    );
  };
}

/** undici reports connect failures as TypeError("fetch failed", { cause }); a refusal should surface as itself. */
function unwrap(e: unknown): unknown {
  let cur: unknown = e;
  for (let depth = 0; cur instanceof Error && depth < 5; depth++) {
    if (cur instanceof AppError) return cur;
    cur = cur.cause;
  }
  return e;
}

function toRequest(input: string | URL | Request, init: RequestInit): { url: URL; init: RequestInit } {
  if (input instanceof Request) {
    const fromRequest: RequestInit & { duplex?: "half" } = {
      method: input.method,
      headers: input.headers,
      body: input.body,
      signal: input.signal,
      redirect: input.redirect,
      duplex: "half",
    };
    return { url: new URL(input.url), init: { ...fromRequest, ...init } };
  }
  return { url: new URL(input), init };
}

/** The request to send to a redirect target, following the Fetch standard's method and header rules. */
function redirected(init: RequestInit, status: number, from: URL, to: URL): RequestInit {
  const headers = new Headers(init.headers);
  const method = (init.method ?? "GET").toUpperCase();
  let next: RequestInit = { ...init, headers };
  const toGet = (status === 303 && method !== "GET" && method !== "HEAD") || ((status === 301 || status === 302) && method === "POST");
  if (toGet) {
    next = { ...next, method: "GET", body: undefined };
    for (const h of ["content-type", "content-length", "content-encoding", "content-language", "content-location"]) headers.delete(h);
  } else if (init.body instanceof ReadableStream) {
    throw new AppError("upstream_failed", `Cannot repeat a streamed request body for the ${status} redirect from ${from.href}`);
  }
  if (to.origin !== from.origin) for (const h of CREDENTIAL_HEADERS) headers.delete(h);
  return next;
}

/** The response with its body cut off (as an error) once more than `max` bytes have streamed through. */
function capped(res: Response, max: number, url: URL): Response {
  const tooLarge = () => new AppError("upstream_failed", `Response from ${url.origin} exceeds ${max} bytes`);
  const declared = Number(res.headers.get("content-length"));
  if (Number.isFinite(declared) && declared > max) {
    void res.body?.cancel().catch(() => undefined);
    throw tooLarge();
  }
  if (!res.body || NULL_BODY.has(res.status)) return res;
  let seen = 0;
  const body = res.body.pipeThrough(
    new TransformStream<Uint8Array, Uint8Array>({
      transform(chunk, controller) {
        seen += chunk.byteLength;
        if (seen > max) controller.error(tooLarge());
        else controller.enqueue(chunk);
      },
    }),
  );
  const out = new Response(body, { status: res.status, statusText: res.statusText, headers: res.headers });
  Object.defineProperties(out, { url: { value: res.url }, redirected: { value: res.redirected } });
  return out;
}

/**
 * A `fetch` for user-supplied URLs (SSRF guard). Each connection resolves its host once, refuses it
 * if any address is link-local, cloud metadata, unspecified or multicast, or non-public outside
 * `allowedNetworks`, and connects to exactly the checked address. Redirects are followed by hand
 * (at most `maxRedirects`), each hop checked the same way; bodies are capped while streaming, so
 * SSE streams still flow. Refusals throw AppError("blocked_address").
 */
export function createSafeFetch(opts: SafeFetchOptions): typeof fetch {
  const agent = new Agent({ connect: guardedConnector(opts), bodyTimeout: 0 });
  const maxRedirects = opts.maxRedirects ?? 3;
  const maxBytes = opts.maxResponseBytes ?? 10 * MiB;

  const safeFetch = async (input: string | URL | Request, init: RequestInit = {}): Promise<Response> => {
    let { url, init: request } = toRequest(input, init);
    const mode = request.redirect ?? "follow";
    for (let hop = 0; ; hop++) {
      if (url.protocol !== "http:" && url.protocol !== "https:")
        throw new AppError("blocked_address", `Refused to fetch ${url.href}: only http and https URLs are allowed`);
      let res: Response;
      try {
        const sent = { ...request, redirect: "manual", dispatcher: agent } as unknown as UndiciRequestInit;
        res = (await undiciFetch(url, sent)) as unknown as Response;
      } catch (e) {
        throw unwrap(e);
      }
      const location = REDIRECTS.has(res.status) ? res.headers.get("location") : null;
      if (location === null || mode === "manual") return capped(res, maxBytes, url);
      await res.body?.cancel().catch(() => undefined);
      if (mode === "error") throw new AppError("upstream_failed", `${url.href} redirected (${res.status}) where no redirect is allowed`);
      if (hop >= maxRedirects) throw new AppError("upstream_failed", `Too many redirects (more than ${maxRedirects}) from ${url.href}`);
      const next = new URL(location, url);
      request = redirected(request, res.status, url, next);
      url = next;
    }
  };
  return safeFetch as typeof fetch;
}
