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
