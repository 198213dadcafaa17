/**
 * Percent-decoding that cannot throw: `decodeURIComponent` throws a URIError on `%zz`, a truncated `%4`
 * or bytes that are not UTF-8 (`%ED%A0%80`, a lone surrogate), and a throw in a request listener can
 * take a process down. Undefined means "not a valid encoding", for the caller to refuse.
 */
export function decodeComponent(value: string): string | undefined {
  if (!value.includes("%")) return value;
  try {
    return decodeURIComponent(value);
  } catch {
    return undefined;
  }
}

/**
 * Why a request target (path and query, as on the request line) is not one any route can serve, or
 * undefined: a path that is not valid percent-encoded UTF-8, or a NUL byte anywhere. Routers differ
 * in what they make of these (Next answers a malformed route parameter with a 500), so they are
 * refused before any router sees them.
 */
export function requestTargetProblem(target: string): string | undefined {
  const q = target.indexOf("?");
  const path = q < 0 ? target : target.slice(0, q);
  const decoded = decodeComponent(path);
  if (decoded === undefined) return `Malformed percent-encoding in the path ${JSON.stringify(path.slice(0, 200))}`;
  if (decoded.includes("\u0000") || target.includes("%00")) return "NUL bytes are not allowed in the path or query";
  return undefined;
}
