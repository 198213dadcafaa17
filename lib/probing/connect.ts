import { Client, SdkError, SdkErrorCode, SSEClientTransport, StreamableHTTPClientTransport } from "@modelcontextprotocol/client";
import { resourceMetadataOf, type WireLog } from "./outcome";
import type { ProbeTarget } from "./targets";

type Fetch = typeof globalThis.fetch;

export const PROBER_INFO = { name: "toolshed-prober", version: "1.0.0" } as const;

export interface Session {
  client: Client;
  transport: StreamableHTTPClientTransport | SSEClientTransport;
}

/**
 * Wraps the (safe) fetch the SDK uses: every request also stops when the probe's deadline passes, and
 * statuses, 401 challenges and network errors are logged, since the SDK's errors do not always keep them.
 */
export function observedFetch(base: Fetch, deadline: AbortSignal, wire: WireLog): Fetch {
  const observed = async (input: string | URL | Request, init?: RequestInit): Promise<Response> => {
    const signal = init?.signal ? AbortSignal.any([deadline, init.signal]) : deadline;
    try {
      const res = await base(input, { ...init, signal });
      wire.lastStatus = res.status;
      wire.lastError = undefined;
      if (res.status === 401) wire.unauthorized = { resourceMetadata: resourceMetadataOf(res.headers.get("www-authenticate")) };
      return res;
    } catch (e) {
      wire.lastError = e;
      throw e;
    }
  };
  return observed as Fetch;
}

function transportFor(target: ProbeTarget, fetch: Fetch): Session["transport"] {
  const url = new URL(target.url);
  const requestInit = target.headers ? { headers: target.headers } : undefined;
  return target.transport === "sse"
    ? new SSEClientTransport(url, { fetch, requestInit })
    : new StreamableHTTPClientTransport(url, { fetch, requestInit });
}

async function connectOnce(target: ProbeTarget, fetch: Fetch, era: "auto" | "legacy", timeoutMs: number): Promise<Session> {
  const client = new Client(PROBER_INFO, {
    ...(era === "auto" ? { versionNegotiation: { mode: "auto" as const, probe: { timeoutMs, maxRetries: 0 } } } : {}),
  });
  const transport = transportFor(target, fetch);
  try {
    await client.connect(transport, { timeout: timeoutMs, ...(era === "legacy" ? { prior: { kind: "legacy" as const } } : {}) });
    return { client, transport };
  } catch (e) {
    await client.close().catch(() => undefined);
    throw e;
  }
}

/**
 * Connects with the SDK v2 client, negotiating the era: Streamable HTTP first asks `server/discover`
 * (2026-07-28) and falls back to `initialize` (2025) by itself on the usual refusals; when the probe
 * itself fails on an HTTP answer (e.g. a 5xx to `server/discover`), one more try with the plain 2025
 * handshake. Legacy HTTP+SSE servers only speak 2025, so they get the handshake directly.
 */
export async function connectSession(target: ProbeTarget, fetch: Fetch, wire: WireLog, remainingMs: () => number): Promise<Session> {
  if (target.transport === "sse") return connectOnce(target, fetch, "legacy", remainingMs());
  try {
    return await connectOnce(target, fetch, "auto", remainingMs());
  } catch (e) {
    const answeredBadly = e instanceof SdkError && e.code === SdkErrorCode.EraNegotiationFailed && !wire.lastError && !wire.unauthorized;
    if (!answeredBadly || remainingMs() <= 0) throw e;
    return connectOnce(target, fetch, "legacy", remainingMs());
  }
}

/** Ends a 2025 session with DELETE (close() alone does not) and closes the client, within `withinMs`. */
export async function closeSession(session: Session, withinMs: number): Promise<void> {
  const work = (async () => {
    const t = session.transport;
    if (t instanceof StreamableHTTPClientTransport && t.sessionId) await t.terminateSession().catch(() => undefined);
    await session.client.close().catch(() => undefined);
  })();
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([work, new Promise<void>((resolve) => (timer = setTimeout(resolve, withinMs)))]);
  clearTimeout(timer);
}
