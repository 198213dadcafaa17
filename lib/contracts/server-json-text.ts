import type { FieldError } from "@/lib/errors";
import { findBadText, jsonPointer } from "./json-pointer";
import type { ServerJson } from "./server-json-schema";

/**
 * Publish-time checks of the text in a server.json that the schema allows but people must not be
 * shown or handed: invisible direction overrides and control characters (they make a name, URL or
 * command line read differently from what it is), credentials inside URLs, and runtime hints that
 * are not a plain command name.
 */

/** Bidi embeddings, overrides and isolates (U+202A–202E, U+2066–2069), the marks U+200E/F and U+061C. */
const BIDI = /[\u202a-\u202e\u2066-\u2069\u200e\u200f\u061c]/u;
/** C0 and C1 controls and DEL, except NUL (reported on its own) and the line breaks and tab below. */
// eslint-disable-next-line no-control-regex -- matching control characters is the point
const CONTROL = /[\u0001-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f]/u;
const LINE_BREAK = /[\t\n\r]/;

/** Descriptions (read as paragraphs) and the publisher's free-form `_meta` may keep line breaks and tabs. */
const multiline = (path: PropertyKey[]) => path[0] === "_meta" || path.includes("description");

const codePoint = (c: string) => `U+${c.codePointAt(0)!.toString(16).toUpperCase().padStart(4, "0")}`;

function textProblem(s: string, mayBreakLines: () => boolean): string | null {
  const bidi = BIDI.exec(s);
  if (bidi) return `must not contain bidirectional control characters (${codePoint(bidi[0])} at position ${bidi.index})`;
  // The path (for mayBreakLines) is built only for a string that has a line break or tab.
  const control = CONTROL.exec(s) ?? (LINE_BREAK.test(s) && !mayBreakLines() ? LINE_BREAK.exec(s) : null);
  if (control) return `must not contain control characters (${codePoint(control[0])} at position ${control.index})`;
  return null;
}

/** Every string value and property name with a bidi or control character, by JSON pointer. */
export const findUnsafeText = (value: unknown): FieldError[] => findBadText(value, (s, path, isKey) => textProblem(s, () => !isKey && multiline(path())));

/** `scheme://user[:password]@host…`: anything before an `@` in the authority. */
const USERINFO = /^[a-zA-Z][a-zA-Z0-9+.-]*:\/\/[^/?#]*@/;

/** Every URL field of a server.json that carries a user name or password. */
export function findUrlCredentials(s: ServerJson): FieldError[] {
  const urls: [PropertyKey[], string | undefined][] = [
    [["websiteUrl"], s.websiteUrl],
    [["repository", "url"], s.repository?.url],
    ...(s.icons ?? []).map((icon, i): [PropertyKey[], string] => [["icons", i, "src"], icon.src]),
    ...(s.remotes ?? []).map((r, i): [PropertyKey[], string] => [["remotes", i, "url"], r.url]),
    ...(s.packages ?? []).flatMap((p, i): [PropertyKey[], string | undefined][] => [
      [["packages", i, "registryBaseUrl"], p.registryBaseUrl],
      [["packages", i, "transport", "url"], p.transport.type === "stdio" ? undefined : p.transport.url],
    ]),
  ];
  return urls
    .filter(([, url]) => url !== undefined && USERINFO.test(url))
    .map(([path]) => ({ pointer: jsonPointer(path), message: "must not contain a user name or password (user:pass@); send credentials in a header marked isSecret" }));
}

/** A runtime hint is run as a command: a plain program name such as npx, uvx, docker, dnx or python. */
const COMMAND_NAME = /^[A-Za-z0-9][A-Za-z0-9._+-]{0,63}$/;

export function findBadRuntimeHints(s: ServerJson): FieldError[] {
  return (s.packages ?? []).flatMap((p, i) =>
    p.runtimeHint === undefined || COMMAND_NAME.test(p.runtimeHint)
      ? []
      : [
          {
            pointer: jsonPointer(["packages", i, "runtimeHint"]),
            message: "must be a command name such as npx, uvx, docker, dnx or python (letters, digits, '.', '_', '+', '-'; at most 64; no spaces, paths or shell characters)",
          },
        ],
  );
}
