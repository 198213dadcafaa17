import type { Prisma } from "@/generated/prisma/client";
import { recordAudit } from "../audit/service";
import type { Principal } from "../auth/principal";
import { replaceInvokeRulesInput, subjectKey, type InvokeRuleWire, type InvokeRulesResponse, type InvokeSubjectWire } from "../contracts/invoke-rules";
import { db } from "../db/client";
import { AppError, validate, type FieldError } from "../errors";
import { serverChanged } from "../gateway/invalidation";
import { manageableServer } from "../probing/credentials";
import type { ProbeableServer } from "../probing/repository";
import type { InvokeRule, ServerInvokeRules } from "./invoke";

/**
 * A server's INVOKE access rules: the API to read and replace them (owners, maintainers, org admins)
 * and the loader the gateway decides with (lib/access/invoke.ts has the semantics).
 */

type Tx = Prisma.TransactionClient;

const RULE_SELECT = {
  subjectType: true,
  allowTools: true,
  denyTools: true,
  user: { select: { email: true } },
  team: { select: { slug: true } },
} as const;

type RuleRow = Prisma.AccessRuleGetPayload<{ select: typeof RULE_SELECT }>;

function toWire(r: RuleRow): InvokeRuleWire {
  const subject: InvokeSubjectWire =
    r.subjectType === "USER" ? { type: "user", email: r.user!.email } : r.subjectType === "TEAM" ? { type: "team", slug: r.team!.slug } : { type: "all" };
  return { subject, allowTools: r.allowTools, denyTools: r.denyTools };
}

const byKey = (a: InvokeRuleWire, b: InvokeRuleWire) => (subjectKey(a.subject) < subjectKey(b.subject) ? -1 : 1);

async function readRules(client: Tx, serverId: string): Promise<InvokeRuleWire[]> {
  const rows = await client.accessRule.findMany({ where: { serverId, action: "INVOKE" }, select: RULE_SELECT });
  return rows.map(toWire).sort(byKey);
}

async function ownerSlug(client: Tx, ownerTeamId: string | null): Promise<string | null> {
  if (!ownerTeamId) return null;
  return (await client.team.findUnique({ where: { id: ownerTeamId }, select: { slug: true } }))?.slug ?? null;
}

/** Names of the tools the latest version listed at its last successful probe; null if never probed. */
async function knownTools(client: Tx, server: ProbeableServer): Promise<Set<string> | null> {
  if (!server.versionId) return null;
  const v = await client.serverVersion.findUnique({ where: { id: server.versionId }, select: { currentToolSetId: true } });
  if (!v?.currentToolSetId) return null;
  const defs = await client.toolDefinition.findMany({ where: { kind: "TOOL", toolSets: { some: { id: v.currentToolSetId } } }, select: { name: true } });
  return new Set(defs.map((d) => d.name));
}

const invalid = (message: string, errors: FieldError[]) => new AppError("validation_failed", message, { errors });

/** Subjects named twice are refused: two rules for one subject would only blur what applies. */
function duplicateErrors(rules: { subject: InvokeSubjectWire }[]): FieldError[] {
  const seen = new Set<string>();
  const out: FieldError[] = [];
  rules.forEach((r, i) => {
    const key = subjectKey(r.subject);
    if (seen.has(key)) out.push({ pointer: `/rules/${i}/subject`, message: "this subject already has a rule" });
    seen.add(key);
  });
  return out;
}

type RuleData = Omit<Prisma.AccessRuleCreateManyInput, "serverId" | "action">;

/** The rules as rows: users and teams looked up, tools checked against the last probe. Throws naming every bad value. */
async function resolveRules(client: Tx, server: ProbeableServer, rules: { subject: InvokeSubjectWire; allowTools?: string[]; denyTools?: string[] }[]): Promise<RuleData[]> {
  const dupes = duplicateErrors(rules);
  if (dupes.length) throw invalid(`Each subject may have one rule only (${dupes.map((e) => e.pointer).join(", ")})`, dupes);

  const emails = rules.flatMap((r) => (r.subject.type === "user" ? [r.subject.email.toLowerCase()] : []));
  const slugs = rules.flatMap((r) => (r.subject.type === "team" ? [r.subject.slug] : []));
  const users = new Map((await client.user.findMany({ where: { email: { in: emails } }, select: { id: true, email: true } })).map((u) => [u.email, u.id]));
  const teams = new Map((await client.team.findMany({ where: { slug: { in: slugs } }, select: { id: true, slug: true } })).map((t) => [t.slug, t.id]));
  const tools = await knownTools(client, server);

  const errors: FieldError[] = [];
  const unknownTools = new Set<string>();
  const rows = rules.map((r, i): RuleData => {
    for (const list of ["allowTools", "denyTools"] as const)
      (r[list] ?? []).forEach((t, j) => {
        if (tools && !tools.has(t)) {
          unknownTools.add(t);
          errors.push({ pointer: `/rules/${i}/${list}/${j}`, message: `${server.name} has no tool ${t} (as of its last probe)` });
        }
      });
    const base = { allowTools: [...new Set(r.allowTools ?? [])], denyTools: [...new Set(r.denyTools ?? [])] };
    const s = r.subject;
    if (s.type === "all") return { ...base, subjectType: "ALL" };
    if (s.type === "team") {
      const teamId = teams.get(s.slug);
      if (!teamId) errors.push({ pointer: `/rules/${i}/subject/slug`, message: `no team with slug ${s.slug}` });
      return { ...base, subjectType: "TEAM", teamId };
    }
    const userId = users.get(s.email.toLowerCase());
    if (!userId) errors.push({ pointer: `/rules/${i}/subject/email`, message: `no user with email ${s.email}` });
    return { ...base, subjectType: "USER", userId };
  });
  if (errors.length) {
    const what = errors.filter((e) => !/Tools\//.test(e.pointer)).map((e) => e.message);
    if (unknownTools.size) what.push(`unknown tools of ${server.name}: ${[...unknownTools].join(", ")}`);
    throw invalid(`Invalid invoke rules: ${what.join("; ")}`, errors);
  }
  return rows;
}

/** GET /api/servers/{name}/invoke-rules */
export async function listInvokeRules(p: Principal, serverName: string): Promise<InvokeRulesResponse> {
  const server = await manageableServer(p, serverName);
  const client = db();
  return { server: server.name, ownerTeam: await ownerSlug(client, server.ownerTeamId), rules: await readRules(client, server.id) };
}

/**
 * PUT /api/servers/{name}/invoke-rules: replaces every INVOKE rule of the server in one transaction
 * (the server row is locked, so concurrent replacements apply one after the other); `{ "rules": [] }`
 * returns the server to the owning-team default. Audited with the rules before and after.
 */
export async function replaceInvokeRules(p: Principal, serverName: string, body: unknown): Promise<InvokeRulesResponse> {
  const server = await manageableServer(p, serverName);
  const input = validate(replaceInvokeRulesInput, body);
  const { before, after, ownerTeam } = await db().$transaction(async (tx) => {
    await tx.$queryRaw`SELECT id FROM "Server" WHERE id = ${server.id} FOR UPDATE`;
    const before = await readRules(tx, server.id);
    const rows = await resolveRules(tx, server, input.rules);
    await tx.accessRule.deleteMany({ where: { serverId: server.id, action: "INVOKE" } });
    if (rows.length) await tx.accessRule.createMany({ data: rows.map((r) => ({ ...r, serverId: server.id, action: "INVOKE" as const })) });
    return { before, after: await readRules(tx, server.id), ownerTeam: await ownerSlug(tx, server.ownerTeamId) };
  });
  const changed = JSON.stringify(before) !== JSON.stringify(after);
  serverChanged(server.name);
  await recordAudit(p, "access.invoke_rules.replace", { type: "server", id: server.id }, { before: { rules: before }, after: { rules: after }, detail: { server: server.name, changed } });
  return { server: server.name, ownerTeam, rules: after };
}

/** A server's invoke rules in the form decideInvoke takes; undefined for an unknown server. */
export async function invokeRulesOf(serverName: string): Promise<ServerInvokeRules | undefined> {
  const s = await db().server.findUnique({
    where: { name: serverName },
    select: { name: true, ownerTeamId: true, accessRules: INVOKE_RULE_SELECT },
  });
  return s ? { name: s.name, ownerTeamId: s.ownerTeamId, rules: toInvokeRules(s.accessRules) } : undefined;
}

/** The INVOKE rules to select with a server, for toInvokeRules. */
export const INVOKE_RULE_SELECT = { where: { action: "INVOKE" }, select: { subjectType: true, userId: true, teamId: true, allowTools: true, denyTools: true } } as const;

/** AccessRule rows (INVOKE_RULE_SELECT) in the form decideInvoke takes. */
export function toInvokeRules(rows: { subjectType: string; userId: string | null; teamId: string | null; allowTools: string[]; denyTools: string[] }[]): InvokeRule[] {
  return rows.flatMap((r): InvokeRule[] => {
    const tools = { allowTools: r.allowTools, denyTools: r.denyTools };
    if (r.subjectType === "ALL") return [{ subject: { type: "ALL" }, ...tools }];
    if (r.subjectType === "USER" && r.userId) return [{ subject: { type: "USER", userId: r.userId }, ...tools }];
    if (r.subjectType === "TEAM" && r.teamId) return [{ subject: { type: "TEAM", teamId: r.teamId }, ...tools }];
    return [];
  });
}
