/** The detail page of a server: `/servers/io.github.acme/weather` (each segment encoded, the "/" kept). */
export function serverHref(name: string): string {
  return `/servers/${name.split("/").map(encodeURIComponent).join("/")}`;
}

/**
 * The server name from the catch-all segments of /servers/[...name]: `["io.github.acme", "weather"]`,
 * or the encoded form `["io.github.acme%2Fweather"]`. Next passes segments still percent-encoded in
 * some versions and decoded in others, so decode only what is left encoded. Undefined when malformed.
 */
export function nameFromSegments(segments: string[]): string | undefined {
  try {
    const name = segments.map((s) => (s.includes("%") ? decodeURIComponent(s) : s)).join("/");
    return name.length > 0 && name.length <= 200 && !name.includes("\0") ? name : undefined;
  } catch {
    return undefined;
  }
}
