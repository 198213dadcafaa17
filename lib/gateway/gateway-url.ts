/**
 * Where callers reach a server through the gateway, and the remote the registry serves for it. Pure:
 * the public base URL is passed in. The upstream URL is never an input here, so nothing built from
 * these functions can carry it.
 */

export type GatewayTransport = "streamable-http" | "sse";

/** What the registry and the pages need to know of a server's gateway (never the upstream itself). */
export interface GatewayExposure {
  transport: GatewayTransport;
}

/** The variable of the Authorization header in the served remote (`Bearer {toolshed_token}`). */
export const GATEWAY_TOKEN_VARIABLE = "toolshed_token";
export const GATEWAY_TOKEN_DESCRIPTION = "A Toolshed API token with the gateway:invoke scope";

/** `${publicUrl}/gateway/{name}/mcp` (Streamable HTTP) or `/sse` (legacy HTTP+SSE); the name goes in as is. */
export function gatewayUrlOf(publicUrl: string, name: string, transport: GatewayTransport): string {
  return `${publicUrl.replace(/\/+$/, "")}/gateway/${name}/${transport === "sse" ? "sse" : "mcp"}`;
}

/** The one remote a gateway-enabled server is served with: the gateway URL, asking for a token. */
export function gatewayRemote(publicUrl: string, name: string, g: GatewayExposure): Record<string, unknown> {
  return {
    type: g.transport,
    url: gatewayUrlOf(publicUrl, name, g.transport),
    headers: [
      {
        name: "Authorization",
        description: `${GATEWAY_TOKEN_DESCRIPTION}, as a bearer token`,
        isRequired: true,
        isSecret: true,
        value: `Bearer {${GATEWAY_TOKEN_VARIABLE}}`,
        variables: { [GATEWAY_TOKEN_VARIABLE]: { description: GATEWAY_TOKEN_DESCRIPTION, isRequired: true, isSecret: true } },
      },
    ],
  };
}

/**
 * A server.json as served: with the gateway on, its remotes are replaced by the gateway remote (the
 * published ones may name the private upstream); packages and everything else stay as published.
 */
export function servedServerJson(serverJson: Record<string, unknown>, name: string, publicUrl: string, g: GatewayExposure | null): Record<string, unknown> {
  if (!g) return serverJson;
  return { ...serverJson, remotes: [gatewayRemote(publicUrl, name, g)] };
}

/** The DB's enum to the wire; an unset transport means Streamable HTTP. */
export const transportFromDb = (t: string | null | undefined): GatewayTransport => (t === "SSE" ? "sse" : "streamable-http");
