"use client";
import { useState, type FormEvent } from "react";
import { buttonCls, LabelledInput, LabelledSelect, labelCls } from "@/components/form/fields";
import type { InvokeRuleWire, InvokeRulesResponse } from "@/lib/contracts/invoke-rules";
import {
  emptyRule,
  ruleFieldErrors,
  ruleFormsOf,
  rulesBodyOf,
  toggleTool,
  unplacedRuleErrors,
  type RuleField,
  type RuleForm,
  type SubjectType,
  type ToolChoice,
} from "@/lib/ui/access-form";
import type { FieldProblem } from "@/lib/ui/field-errors";
import { Group } from "../gateway/ui";
import { putJson, type Problem } from "@/components/form/put-json";
import { SaveRow } from "./ui";

/**
 * Who may call a server through the gateway and which of its tools: the invoke rules, replaced as a
 * whole with PUT /api/servers/{name}/invoke-rules. Errors come back by pointer (/rules/1/subject/email)
 * and show under that rule's field.
 */

const SUBJECTS = [
  ["user", "A user"],
  ["team", "A team"],
  ["all", "Everyone signed in"],
] as const;

type Sent = { rules: InvokeRuleWire[] };

export function InvokeRulesForm({ initial, tools }: { initial: InvokeRulesResponse; tools: string[] }) {
  const [rules, setRules] = useState<RuleForm[]>(() => ruleFormsOf(initial.rules, tools));
  const [sent, setSent] = useState<Sent | null>(null);
  const [problem, setProblem] = useState<Problem | null>(null);
  const [status, setStatus] = useState("");
  const [busy, setBusy] = useState(false);
  const errors = problem?.errors ?? [];

  async function save(e: FormEvent) {
    e.preventDefault();
    setBusy(true);
    setStatus("");
    const body = rulesBodyOf(rules, tools);
    setSent(body);
    const r = await putJson<InvokeRulesResponse>(`/api/servers/${encodeURIComponent(initial.server)}/invoke-rules`, body);
    setBusy(false);
    if (!r.ok) return setProblem(r.problem);
    setProblem(null);
    setRules(ruleFormsOf(r.value.rules, tools));
    setStatus(r.value.rules.length ? "Invoke rules saved." : "Invoke rules saved; the default applies.");
  }

  const set = (i: number, next: RuleForm) => setRules(rules.map((r, j) => (j === i ? next : r)));
  const fallback = initial.ownerTeam ? `members of the owning team (${initial.ownerTeam}) may call every tool` : "only org admins may call it (it has no owning team)";
  return (
    <form onSubmit={save} aria-label="Invoke rules" noValidate>
      <Group
        title="Who may call it through the gateway"
        description="Once there are rules, they are the whole list: a caller needs a rule that names them (add the owning team if it should keep access), and a tool denied by any rule that names them is refused. Org admins may always call every tool."
      >
        {rules.length ? (
          <ul className="space-y-2" aria-label="Rules">
            {rules.map((rule, i) => (
              <RuleRow key={rule.key} rule={rule} index={i} tools={tools} errorsOf={(field) => ruleFieldErrors(errors, sent, i, field)} onChange={(next) => set(i, next)} onRemove={() => setRules(rules.filter((_, j) => j !== i))} />
            ))}
          </ul>
        ) : (
          <p className="text-sm text-zinc-600 dark:text-zinc-400" data-testid="invoke-rules-default">
            No rules: {fallback}; org admins always may.
          </p>
        )}
        <div>
          <button type="button" className={buttonCls} onClick={() => setRules([...rules, emptyRule()])}>
            Add rule
          </button>
        </div>
        <SaveRow problem={problem} unplaced={unplacedRuleErrors(errors, sent?.rules.length ?? 0)} testId="invoke-rules-error" label="Save rules" busy={busy} status={status} />
      </Group>
    </form>
  );
}

function RuleRow({ rule, index, tools, errorsOf, onChange, onRemove }: { rule: RuleForm; index: number; tools: string[]; errorsOf: (f: RuleField) => FieldProblem[]; onChange: (r: RuleForm) => void; onRemove: () => void }) {
  const id = `access-rule-${index}`;
  const n = index + 1;
  return (
    <li className="space-y-3 rounded bg-zinc-50 p-3 dark:bg-zinc-900" data-testid="invoke-rule" aria-label={`Rule ${n}`}>
      <div className="grid items-start gap-2 sm:grid-cols-[12rem_minmax(0,1fr)_auto]">
        <LabelledSelect id={`${id}-type`} label="Applies to" value={rule.type} options={SUBJECTS} errors={errorsOf("type")} onChange={(type) => onChange({ ...rule, type: type as SubjectType })} />
        {rule.type === "user" && (
          <LabelledInput id={`${id}-email`} label="User email" type="email" autoComplete="off" spellCheck={false} placeholder="dev@example.com" value={rule.email} errors={errorsOf("email")} onChange={(email) => onChange({ ...rule, email })} />
        )}
        {rule.type === "team" && (
          <LabelledInput id={`${id}-slug`} label="Team slug" autoComplete="off" spellCheck={false} placeholder="platform" value={rule.slug} errors={errorsOf("slug")} onChange={(slug) => onChange({ ...rule, slug })} />
        )}
        {rule.type === "all" && <p className="text-sm text-zinc-600 sm:mt-7 dark:text-zinc-400">Any signed-in user with a gateway token.</p>}
        <button type="button" className={`${buttonCls} sm:mt-6`} onClick={onRemove} aria-label={`Remove rule ${n}`}>
          Remove
        </button>
      </div>
      <div className="grid gap-3 md:grid-cols-2">
        <ToolPicker id={`${id}-allow`} legend="Allowed tools" hint="Nothing ticked or typed: every tool." tools={tools} choice={rule.allow} errors={errorsOf("allowTools")} onChange={(allow) => onChange({ ...rule, allow })} />
        <ToolPicker id={`${id}-deny`} legend="Denied tools" hint="Refused even when another rule allows them." tools={tools} choice={rule.deny} errors={errorsOf("denyTools")} onChange={(deny) => onChange({ ...rule, deny })} />
      </div>
    </li>
  );
}

/** One tool list: the server's probed tools as checkboxes, and a text box for any other names. */
function ToolPicker({ id, legend, hint, tools, choice, errors, onChange }: { id: string; legend: string; hint: string; tools: string[]; choice: ToolChoice; errors: FieldProblem[]; onChange: (c: ToolChoice) => void }) {
  return (
    <fieldset className="min-w-0" aria-describedby={`${id}-hint`}>
      <legend className={labelCls}>{legend}</legend>
      <p id={`${id}-hint`} className="mb-1 text-xs text-zinc-600 dark:text-zinc-400">
        {hint}
      </p>
      {tools.length > 0 && (
        <div className="mb-2 flex flex-wrap gap-x-4 gap-y-1">
          {tools.map((t, j) => (
            <label key={t} htmlFor={`${id}-tool-${j}`} className="inline-flex items-center gap-1.5 text-sm">
              <input id={`${id}-tool-${j}`} type="checkbox" checked={choice.picked.includes(t)} onChange={(e) => onChange(toggleTool(choice, t, e.target.checked))} />
              <code className="break-all">{t}</code>
            </label>
          ))}
        </div>
      )}
      <LabelledInput
        id={`${id}-other`}
        label={tools.length ? `Other ${legend.toLowerCase()}` : `${legend} by name`}
        autoComplete="off"
        spellCheck={false}
        value={choice.other}
        errors={errors}
        onChange={(other) => onChange({ ...choice, other })}
        hint={tools.length ? "Names not listed above, separated by commas or spaces." : "Tool names separated by commas or spaces (this server has not listed its tools yet)."}
      />
    </fieldset>
  );
}
