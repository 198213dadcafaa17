import { z } from "zod";

/** Wire format of a server's invoke rules (GET/PUT /api/servers/{name}/invoke-rules). */

export const MAX_INVOKE_RULES = 200;
export const MAX_RULE_TOOLS = 500;

const toolName = z.string().min(1, "must not be empty").max(128, "at most 128 characters");
const toolList = z.array(toolName).max(MAX_RULE_TOOLS, `at most ${MAX_RULE_TOOLS} tools`);

export const invokeSubjectInput = z.discriminatedUnion(
  "type",
  [
    z.object({ type: z.literal("user"), email: z.email({ message: "expected an email address" }) }).strict(),
    z.object({ type: z.literal("team"), slug: z.string().min(1, "must not be empty").max(63, "at most 63 characters") }).strict(),
    z.object({ type: z.literal("all") }).strict(),
  ],
  { message: 'expected a subject of type "user" (with email), "team" (with slug) or "all"' },
);

export const invokeRuleInput = z
  .object({ subject: invokeSubjectInput, allowTools: toolList.optional(), denyTools: toolList.optional() })
  .strict()
  .superRefine((r, ctx) => {
    const allowed = new Set(r.allowTools ?? []);
    (r.denyTools ?? []).forEach((t, i) => {
      if (allowed.has(t)) ctx.addIssue({ code: "custom", path: ["denyTools", i], message: `${t} is also in allowTools; a tool is either allowed or denied` });
    });
  });

export const replaceInvokeRulesInput = z.object({ rules: z.array(invokeRuleInput).max(MAX_INVOKE_RULES, `at most ${MAX_INVOKE_RULES} rules`) }).strict();

export type InvokeSubjectWire = z.infer<typeof invokeSubjectInput>;
export type ReplaceInvokeRulesInput = z.infer<typeof replaceInvokeRulesInput>;

export interface InvokeRuleWire {
  subject: InvokeSubjectWire;
  allowTools: string[];
  denyTools: string[];
}

export interface InvokeRulesResponse {
  server: string;
  /** Slug of the owning team: with no rules, its members (and org admins) are the only callers. */
  ownerTeam: string | null;
  rules: InvokeRuleWire[];
}

/** A stable key per subject, for spotting duplicates and ordering (all, then teams, then users). */
export function subjectKey(s: InvokeSubjectWire): string {
  if (s.type === "all") return "0:all";
  if (s.type === "team") return `1:${s.slug}`;
  return `2:${s.email.toLowerCase()}`;
}
