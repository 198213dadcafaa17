"use client";
import { useState, type FormEvent } from "react";
import { buttonCls, FieldMessages, primaryCls } from "@/components/form/fields";
import { putJson, type Problem } from "@/components/form/put-json";
import { errorsAt } from "@/lib/ui/field-errors";
import { fieldId, newKey } from "./model";
import { Group, TextInput } from "./ui";

/**
 * Write-only secrets of a server: the backend headers the gateway adds to every upstream request, or
 * the headers and URL {variables} the prober uses. The API answers with names only, so the form shows
 * those and asks for every value again on a change; saving replaces them all in one step.
 */

interface CredentialKind {
  /** The body field and the error pointer's first segment. */
  key: "headers" | "variables";
  noun: string;
  placeholder: string;
}

const KINDS: Record<CredentialKind["key"], CredentialKind> = {
  headers: { key: "headers", noun: "Header", placeholder: "Authorization" },
  variables: { key: "variables", noun: "Variable", placeholder: "tenant" },
};

interface Row {
  key: string;
  kind: CredentialKind;
  name: string;
  value: string;
}

type Names = { updatedAt: string | null } & Partial<Record<CredentialKind["key"], string[]>>;

interface Props {
  url: string;
  initial: Names;
  /** The form's accessible name and heading. */
  title: string;
  description: string;
  /** What saving says, e.g. "Backend headers": "… saved." / "… removed." */
  subject: string;
  /** What may be configured: headers (the default), and URL {variables} too. */
  kinds?: CredentialKind["key"][];
}

const pointerOf = (kind: CredentialKind, name: string) => `/${kind.key}/${name.trim().replace(/~/g, "~0").replace(/\//g, "~1")}`;
const lower = (noun: string) => noun.toLowerCase();

export function Credentials({ url, initial, title, description, subject, kinds: keys = ["headers"] }: Props) {
  const kinds = keys.map((k) => KINDS[k]);
  const [names, setNames] = useState(initial);
  const [rows, setRows] = useState<Row[]>([]);
  const [problem, setProblem] = useState<Problem | null>(null);
  const [status, setStatus] = useState("");
  const [busy, setBusy] = useState(false);

  const configured = kinds.flatMap((k) => (names[k.key] ?? []).map((n) => (kinds.length > 1 ? `${lower(k.noun)} ${n}` : n)));

  async function send(values: Row[]) {
    setBusy(true);
    setStatus("");
    const payload = Object.fromEntries(kinds.map((k) => [k.key, Object.fromEntries(values.filter((r) => r.kind === k).map((r) => [r.name.trim(), r.value]))]));
    const r = await putJson<Names>(url, payload);
    setBusy(false);
    if (!r.ok) return setProblem(r.problem);
    setProblem(null);
    setNames(r.value);
    setRows([]);
    setStatus(values.length ? `${subject} saved.` : `${subject} removed.`);
  }

  function save(e: FormEvent) {
    e.preventDefault();
    void send(rows.filter((r) => r.name.trim() || r.value));
  }

  const errors = problem?.errors ?? [];
  const set = (i: number, next: Row) => setRows(rows.map((r, j) => (j === i ? next : r)));
  // A value's errors point at /headers/<name> or /variables/<name>; show them at the row with that name.
  const rowErrors = (r: Row) => errorsAt(errors, pointerOf(r.kind, r.name), true);
  const add = (kind: CredentialKind) => setRows([...rows, { key: newKey(), kind, name: "", value: "" }]);

  const plural = kinds.length === 1 ? `${lower(kinds[0].noun)}s` : "credentials";
  const addLabel = (k: CredentialKind) => (rows.length ? `Add another ${lower(k.noun)}` : configured.length && kinds.length === 1 ? `Replace ${plural}` : `Add ${lower(k.noun)}`);

  return (
    <form onSubmit={save} aria-label={title} noValidate>
      <Group title={title} description={description}>
        <p className="text-sm" data-testid="credential-names">
          {configured.length ? (
            <>
              Configured: {configured.map((h, i) => <code key={h}>{i ? `, ${h}` : h}</code>)}
              <span className="text-zinc-500"> (values hidden{names.updatedAt ? `, set ${names.updatedAt.slice(0, 10)}` : ""})</span>
            </>
          ) : (
            <span className="text-zinc-500">None configured.</span>
          )}
        </p>
        {rows.length > 0 && (
          <ul className="space-y-2" aria-label={`New ${plural}`}>
            {rows.map((r, i) => (
              <li key={r.key} className="grid items-start gap-2 rounded bg-zinc-50 p-2 sm:grid-cols-[minmax(0,1fr)_minmax(0,1fr)_auto] dark:bg-zinc-900" data-testid="credential-row">
                <TextInput pointer={`/credential/${i}/name`} label={`${r.kind.noun} ${i + 1} name`} placeholder={r.kind.placeholder} autoComplete="off" spellCheck={false} value={r.name} errors={rowErrors(r)} onChange={(name) => set(i, { ...r, name })} />
                <TextInput pointer={`/credential/${i}/value`} label={`${r.kind.noun} ${i + 1} value`} type="password" autoComplete="new-password" spellCheck={false} value={r.value} errors={[]} onChange={(value) => set(i, { ...r, value })} />
                <button type="button" className={`${buttonCls} sm:mt-6`} aria-label={`Remove ${lower(r.kind.noun)} ${i + 1}`} onClick={() => setRows(rows.filter((_, j) => j !== i))}>
                  Remove
                </button>
              </li>
            ))}
          </ul>
        )}
        {kinds.map((k) => (
          <FieldMessages key={k.key} id={fieldId(`/${k.key}`)} errors={errorsAt(errors, `/${k.key}`)} />
        ))}
        {problem && !errors.length && (
          <p role="alert" className="text-sm text-red-700 dark:text-red-400">
            {problem.detail}
          </p>
        )}
        {rows.length > 0 && <p className="text-xs text-zinc-600 dark:text-zinc-400">Saving replaces every configured {kinds.length === 1 ? lower(kinds[0].noun) : "value"} with the ones above.</p>}
        <div className="flex flex-wrap items-center gap-2">
          {kinds.map((k) => (
            <button key={k.key} type="button" className={buttonCls} onClick={() => add(k)}>
              {addLabel(k)}
            </button>
          ))}
          {rows.length > 0 && (
            <button type="submit" className={primaryCls} disabled={busy}>
              Save {plural}
            </button>
          )}
          {configured.length > 0 && rows.length === 0 && (
            <button type="button" className={buttonCls} disabled={busy} onClick={() => void send([])}>
              Remove all {plural}
            </button>
          )}
          <p role="status" className="text-sm text-green-800 dark:text-green-300">
            {status}
          </p>
        </div>
      </Group>
    </form>
  );
}
