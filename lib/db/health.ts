import { reasonOf } from "../errors";
import { db } from "./client";

/** Round-trips to the database within `timeoutMs`; reports why when it cannot. */
export async function checkDatabase(timeoutMs = 3_000): Promise<{ ok: true } | { ok: false; reason: string }> {
  let timer: NodeJS.Timeout | undefined;
  try {
    await Promise.race([
      db().$queryRaw`SELECT 1`,
      new Promise((_, reject) => (timer = setTimeout(() => reject(new Error(`no answer within ${timeoutMs} ms`)), timeoutMs))),
    ]);
    return { ok: true };
  } catch (e) {
    return { ok: false, reason: reasonOf(e) };
  } finally {
    clearTimeout(timer);
  }
}
