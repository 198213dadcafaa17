import type { Principal } from "../auth/principal";
import type { InvokeRulesResponse } from "../contracts/invoke-rules";
import type { ServerVisibilityResponse } from "../contracts/server-visibility";
import { isAppError } from "../errors";
import { listInvokeRules } from "./invoke-rules";
import { getServerVisibility } from "./server-visibility";

/** What the server page's Access section edits: who may see the server, and who may call it through the gateway. */
export interface AccessSettings {
  visibility: ServerVisibilityResponse;
  invoke: InvokeRulesResponse;
}

/**
 * What a manager-only read answers, or null when the caller may not manage the server (org admins
 * and the owning team's owners and maintainers may): pages then leave out the section it feeds.
 */
export async function ifManager<T>(p: Principal, read: () => Promise<T>): Promise<T | null> {
  if (p.kind === "anonymous") return null;
  try {
    return await read();
  } catch (e) {
    if (isAppError(e) && (e.status === 401 || e.status === 403 || e.status === 404)) return null;
    throw e;
  }
}

/** The access settings for the server page's Access section, or null for those who may not manage the server. */
export const accessSettingsIfManager = (p: Principal, name: string): Promise<AccessSettings | null> =>
  ifManager(p, async () => {
    const [visibility, invoke] = await Promise.all([getServerVisibility(p, name), listInvokeRules(p, name)]);
    return { visibility, invoke };
  });
