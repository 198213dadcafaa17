/**
 * The register form's state and the server.json it stands for. Pure, so the preview, the live check
 * and the submit all use exactly one builder. Fields the form does not edit (repository, `_meta`,
 * package arguments, remote variables, …) are kept from a prefilled server.json in `extra`.
 */

export const SCHEMA_URL = "https://static.modelcontextprotocol.io/schemas/2025-12-11/server.schema.json";
export const DESCRIPTION_MAX = 100;
export const TRANSPORTS = ["streamable-http", "sse"] as const;
export const REGISTRY_TYPES = ["npm", "pypi", "oci", "nuget", "mcpb"] as const;

export type Transport = (typeof TRANSPORTS)[number];
type Extra = Record<string, unknown>;

export interface HeaderRow {
  key: string;
  name: string;
  value: string;
  /** A secret header's value is sent by Test connection only and never published. */
  isSecret: boolean;
  extra: Extra;
}

export interface RemoteRow {
  key: string;
  type: Transport;
  url: string;
  headers: HeaderRow[];
  extra: Extra;
}

export interface PackageRow {
  key: string;
  registryType: string;
  identifier: string;
  version: string;
  fileSha256: string;
  extra: Extra;
}

export interface FormState {
  name: string;
  title: string;
  description: string;
  version: string;
  remotes: RemoteRow[];
  packages: PackageRow[];
  extra: Extra;
}

// Rows added by the user get a counter key; rows of the initial state get keys from their position, so
// the server render and the client's hydration agree on them (they end up in element ids).
let counter = 0;
export const newKey = () => `row-${++counter}`;

export const emptyHeader = (): HeaderRow => ({ key: newKey(), name: "", value: "", isSecret: false, extra: {} });
export const emptyRemote = (): RemoteRow => ({ key: newKey(), type: "streamable-http", url: "", headers: [], extra: {} });
export const emptyPackage = (): PackageRow => ({ key: newKey(), registryType: "npm", identifier: "", version: "", fileSha256: "", extra: {} });
export const emptyForm = (): FormState => ({ name: "", title: "", description: "", version: "", remotes: [{ ...emptyRemote(), key: "remote-0" }], packages: [], extra: {} });

const str = (v: unknown) => (typeof v === "string" ? v : "");
const obj = (v: unknown): Extra => (v && typeof v === "object" && !Array.isArray(v) ? (v as Extra) : {});
const arr = (v: unknown): unknown[] => (Array.isArray(v) ? v : []);

function without(o: Extra, keys: string[]): Extra {
  return Object.fromEntries(Object.entries(o).filter(([k]) => !keys.includes(k)));
}

const clean = (o: Extra): Extra => Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined));

/** The server.json the form stands for: what the preview shows and what is published. */
export function toServerJson(f: FormState): Extra {
  const remotes = f.remotes.map((r) =>
    clean({
      ...r.extra,
      type: r.type,
      url: r.url.trim(),
      headers: r.headers.length
        ? r.headers.map((h) =>
            clean({
              ...h.extra,
              name: h.name.trim(),
              value: h.isSecret || h.value === "" ? undefined : h.value,
              isSecret: h.isSecret ? true : undefined,
              isRequired: h.isSecret ? true : h.extra.isRequired,
            }),
          )
        : undefined,
    }),
  );
  const packages = f.packages.map((p) =>
    clean({
      ...p.extra,
      registryType: p.registryType,
      identifier: p.identifier.trim(),
      version: p.version.trim() || undefined,
      fileSha256: p.registryType === "mcpb" ? p.fileSha256.trim() || undefined : undefined,
      transport: p.extra.transport ?? { type: "stdio" },
    }),
  );
  return clean({
    $schema: SCHEMA_URL,
    name: f.name.trim(),
    title: f.title.trim() || undefined,
    description: f.description === "" ? undefined : f.description,
    version: f.version.trim() || undefined,
    ...f.extra,
    remotes: remotes.length ? remotes : undefined,
    packages: packages.length ? packages : undefined,
  });
}

/** A form prefilled from a server.json; for a new version of a published one the version is left empty. */
export function fromServerJson(json: Extra, opts: { keepVersion?: boolean } = {}): FormState {
  return {
    name: str(json.name),
    title: str(json.title),
    description: str(json.description),
    version: opts.keepVersion ? str(json.version) : "",
    remotes: arr(json.remotes).map((raw, ri) => {
      const r = obj(raw);
      return {
        key: `remote-${ri}`,
        type: r.type === "sse" ? "sse" : "streamable-http",
        url: str(r.url),
        headers: arr(r.headers).map((rawH, hi) => {
          const h = obj(rawH);
          return { key: `header-${ri}-${hi}`, name: str(h.name), value: h.isSecret === true ? "" : str(h.value), isSecret: h.isSecret === true, extra: without(h, ["name", "value", "isSecret"]) };
        }),
        extra: without(r, ["type", "url", "headers"]),
      };
    }),
    packages: arr(json.packages).map((raw, pi) => {
      const p = obj(raw);
      const transport = obj(p.transport);
      return {
        key: `package-${pi}`,
        registryType: str(p.registryType) || "npm",
        identifier: str(p.identifier),
        version: str(p.version),
        fileSha256: str(p.fileSha256),
        extra: { ...without(p, ["registryType", "identifier", "version", "fileSha256", "transport"]), ...(transport.type && transport.type !== "stdio" ? { transport } : {}) },
      };
    }),
    extra: without(json, ["$schema", "name", "title", "description", "version", "remotes", "packages"]),
  };
}

/** The DOM id of the control that edits the field at `pointer` (e.g. /remotes/0/url → f-remotes-0-url). */
export const fieldId = (pointer: string) => `f${pointer.replace(/[^A-Za-z0-9]+/g, "-")}`;

export interface FieldError {
  pointer: string;
  message: string;
}

/** Errors for exactly this field. */
export const errorsAt = (errors: readonly FieldError[], pointer: string) => errors.filter((e) => e.pointer === pointer);
