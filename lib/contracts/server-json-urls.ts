import type { FieldError } from "@/lib/errors";
import { type Cidr, ipInCidrs, isIpLiteral, isPublicIp } from "@/lib/net/cidr";
import { jsonPointer } from "./json-pointer";
import type { ServerJson, ServerPackage } from "./server-json-schema";

/** What decides whether a remote URL may be http or point at a private host. */
export interface NetworkPolicy {
  /** TOOLSHED_ALLOWED_NETWORKS: hosts inside may use http and private/loopback addresses. */
  allowedNetworks?: readonly Cidr[];
  /** Resolves a host name to its addresses; every one must lie inside allowedNetworks. */
  resolveHost?: (host: string) => Promise<string[]>;
}

const ALLOWED_ENV = "TOOLSHED_ALLOWED_NETWORKS";

/** The `{name}` placeholders of a URL template or value, in order of appearance. */
export function templateVariables(s: string): string[] {
  return [...s.matchAll(/\{([^{}]+)\}/g)].map((m) => m[1]);
}

function unknownVariables(text: string, defined: ReadonlySet<string>): string[] {
  return [...new Set(templateVariables(text))].filter((v) => !defined.has(v));
}

const quoteAll = (names: string[]) => names.map((n) => `{${n}}`).join(", ");

/** Names a package transport URL may use: argument valueHints and names, environment variable names. */
export function packageVariableNames(pkg: ServerPackage): Set<string> {
  const names = new Set<string>();
  for (const arg of [...(pkg.runtimeArguments ?? []), ...(pkg.packageArguments ?? [])]) {
    // Only positional arguments declare valueHint, but a named one carrying it is honoured too.
    if (typeof arg.valueHint === "string") names.add(arg.valueHint);
    if (arg.type === "named") names.add(arg.name);
  }
  for (const env of pkg.environmentVariables ?? []) names.add(env.name);
  return names;
}

/** Every `{var}` in remote URLs/header values and package transport URLs must be defined. */
export function checkVariableReferences(s: ServerJson): FieldError[] {
  const errors: FieldError[] = [];
  s.remotes?.forEach((remote, i) => {
    const defined = new Set(Object.keys(remote.variables ?? {}));
    const missing = unknownVariables(remote.url, defined);
    if (missing.length) {
      errors.push({ pointer: jsonPointer(["remotes", i, "url"]), message: `uses ${quoteAll(missing)} not defined in remotes[${i}].variables` });
    }
    remote.headers?.forEach((header, h) => {
      if (header.value === undefined) return;
      const own = new Set([...defined, ...Object.keys(header.variables ?? {})]);
      const bad = unknownVariables(header.value, own);
      if (bad.length) {
        errors.push({
          pointer: jsonPointer(["remotes", i, "headers", h, "value"]),
          message: `uses ${quoteAll(bad)} not defined in the header's variables or remotes[${i}].variables`,
        });
      }
    });
  });
  s.packages?.forEach((pkg, i) => {
    if (pkg.transport.type === "stdio") return;
    const missing = unknownVariables(pkg.transport.url, packageVariableNames(pkg));
    if (missing.length) {
      errors.push({
        pointer: jsonPointer(["packages", i, "transport", "url"]),
        message: `uses ${quoteAll(missing)} not defined as an argument valueHint or name, or an environment variable, of packages[${i}]`,
      });
    }
  });
  return errors;
}

interface SplitUrl {
  url: URL;
  /** The host itself is (partly) a `{variable}`, so it cannot be checked before substitution. */
  templatedHost: boolean;
}

/** Parses a URL template by substituting its `{variables}` with stand-ins that keep the URL well formed. */
export function parseUrlTemplate(template: string): SplitUrl | null {
  const m = /^([a-zA-Z][a-zA-Z0-9+.-]*:\/\/)([^/?#]*)(.*)$/s.exec(template);
  if (!m) return null;
  const [, scheme, authority, rest] = m;
  const at = authority.lastIndexOf("@");
  const userinfo = authority.slice(0, at + 1);
  const hostport = authority.slice(at + 1);
  const portStart = hostport.startsWith("[") ? hostport.indexOf("]:") + 1 : hostport.lastIndexOf(":");
  const host = portStart > 0 ? hostport.slice(0, portStart) : hostport;
  const port = portStart > 0 ? hostport.slice(portStart) : "";
  const fill = (s: string, standIn: string) => s.replace(/\{[^{}]+\}/g, standIn);
  const substituted = `${scheme}${fill(userinfo, "user")}${fill(host, "template-host")}${fill(port, "1")}${fill(rest, "x")}`;
  try {
    return { url: new URL(substituted), templatedHost: /\{[^{}]+\}/.test(host) };
  } catch {
    return null;
  }
}

const hostOf = (url: URL) => url.hostname.replace(/^\[|\]$/g, "").replace(/\.$/, "").toLowerCase();

const isLocalhostName = (host: string) => host === "localhost" || host.endsWith(".localhost");

async function insideAllowedNetworks(host: string, policy: NetworkPolicy): Promise<boolean> {
  const cidrs = policy.allowedNetworks ?? [];
  if (!cidrs.length) return false;
  if (isIpLiteral(host)) return ipInCidrs(host, cidrs);
  if (!policy.resolveHost) return false;
  try {
    const addresses = await policy.resolveHost(host);
    return addresses.length > 0 && addresses.every((a) => ipInCidrs(a, cidrs));
  } catch {
    return false;
  }
}

/**
 * A remote URL must be https and must not point at localhost or a private/link-local address,
 * unless its host lies inside the allowed networks (then http and private addresses are fine).
 * IP literals are checked directly; a host name is inside only if `resolveHost` says every address is.
 */
export async function remoteUrlProblem(template: string, policy: NetworkPolicy): Promise<string | null> {
  const parsed = parseUrlTemplate(template);
  if (!parsed) return "is not a valid URL";
  const { url, templatedHost } = parsed;
  const https = url.protocol === "https:";
  if (!https && url.protocol !== "http:") return "must be an https URL";
  if (templatedHost) {
    return https ? null : `must use https: the host is a {variable}, so it cannot be checked against ${ALLOWED_ENV}`;
  }
  const host = hostOf(url);
  if (isIpLiteral(host)) {
    if (https && isPublicIp(host)) return null;
    if (ipInCidrs(host, policy.allowedNetworks ?? [])) return null;
    return https
      ? `must not point to a non-public (loopback, private, link-local or reserved) address (${host}) unless it is inside ${ALLOWED_ENV}`
      : `must use https: http is only allowed for hosts inside ${ALLOWED_ENV} (${host} is not)`;
  }
  if (https && !isLocalhostName(host)) return null;
  if (await insideAllowedNetworks(host, policy)) return null;
  const why = !policy.allowedNetworks?.length
    ? `${ALLOWED_ENV} is empty`
    : policy.resolveHost
      ? `${host} does not resolve only to addresses inside it`
      : `${host} is a host name and no resolver was given to check it`;
  return isLocalhostName(host)
    ? `must not point to localhost unless it resolves inside ${ALLOWED_ENV} (${why})`
    : `must use https: http is only allowed for hosts inside ${ALLOWED_ENV} (${why})`;
}

export async function checkRemoteUrls(s: ServerJson, policy: NetworkPolicy): Promise<FieldError[]> {
  const results = await Promise.all(
    (s.remotes ?? []).map(async (remote, i) => {
      const problem = await remoteUrlProblem(remote.url, policy);
      return problem ? [{ pointer: jsonPointer(["remotes", i, "url"]), message: problem }] : [];
    }),
  );
  return results.flat();
}
