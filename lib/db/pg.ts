import pg from "pg";
import { AppError, reasonOf } from "../errors";

/** Where a connection string points, without its password, for error messages. */
export function describeUrl(url: string): string {
  try {
    const u = new URL(url);
    return `${u.hostname}:${u.port || 5432}${u.pathname}`;
  } catch {
    return "an unparseable DATABASE_URL";
  }
}

/** Opens a plain pg connection with a bounded wait, turning failures into a clear AppError. */
export async function connectPg(url: string, timeoutMs = 10_000): Promise<pg.Client> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: timeoutMs });
  client.on("error", () => undefined); // a dropped connection surfaces on the next query instead
  try {
    await client.connect();
    return client;
  } catch (e) {
    await client.end().catch(() => undefined);
    throw new AppError("unavailable", `Cannot reach the database at ${describeUrl(url)}: ${reasonOf(e)}`, { cause: e });
  }
}
