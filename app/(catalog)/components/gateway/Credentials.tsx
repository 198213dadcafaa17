"use client";
import { useState, type FormEvent } from "react";
import { buttonCls, FieldMessages, primaryCls } from "@/components/form/fields";
import { errorsAt, fieldId, newKey, type Problem } from "./model";
import { Group, TextInput } from "./ui";

/**
 * Backend credential headers the gateway adds to every upstream request. Values are write-only: the
 * API answers with the names, so the form shows those and asks for every value again on a change.
 */

interface Row {
  key: string;
  name: string;
  value: string;
}

interface Names {
  headers: string[];
  updatedAt: string | null;
}

const emptyRow = (): Row => ({ key: newKey(), name: "", value: "" });

export function Credentials({ url, initial }: { url: string; initial: Names }) {
  const [names, setNames] = useState(initial);
  const [rows, setRows] = useState<Row[]>([]);
  const [problem, setProblem] = useState<Problem | null>(null);
  const [status, setStatus] = useState("");
  const [busy, setBusy] = useState(false);

  async function send(headers: Record<string, string>) {
    setBusy(true);
    setStatus("");
    try {
      const r = await fetch(url, { method: "PUT", headers: { "Content-Type": "application/json" }, body: JSON.stringify({ headers }) });
      const body = await r.json().catch(() => ({}));
      if (!r.ok) return setProblem(body as Problem);
      setProblem(null);
      setNames(body as Names);
      setRows([]);
      setStatus(Object.keys(headers).length ? "Backend headers saved." : "Backend headers removed.");
    } catch {
      setProblem({ detail: "Toolshed could not be reached; try again." });
    } finally {
      setBusy(false);
    }
  }

  function save(e: FormEvent) {
    e.preventDefault();
    void send(Object.fromEntries(rows.filter((r) => r.name.trim() || r.value).map((r) => [r.name.trim(), r.value])));
  }

  const errors = problem?.errors ?? [];
  const set = (i: number, next: Row) => setRows(rows.map((r, j) => (j === i ? next : r)));
  // A header's errors point at /headers/<name>; show them at the row with that name.
  const rowErrors = (name: string) => errorsAt(errors, `/headers/${name.trim().replace(/~/g, "~0").replace(/\//g, "~1")}`, true);

  return (
    <form onSubmit={save} aria-label="Backend credentials" noValidate>
      <Group title="Backend credentials" description="Headers the gateway adds to every request to the upstream (e.g. Authorization or X-Api-Key). Stored encrypted; values are never shown again.">
        <p className="text-sm" data-testid="credential-names">
          {names.headers.length ? (
            <>
              Configured: {names.headers.map((h, i) => <code key={h}>{i ? `, ${h}` : h}</code>)}
              <span className="text-zinc-500"> (values hidden{names.updatedAt ? `, set ${names.updatedAt.slice(0, 10)}` : ""})</span>
            </>
          ) : (
            <span className="text-zinc-500">No backend headers are configured.</span>
          )}
        </p>
        {rows.length > 0 && (
          <ul className="space-y-2" aria-label="New backend headers">
            {rows.map((r, i) => (
              <li key={r.key} className="grid items-start gap-2 rounded bg-zinc-50 p-2 sm:grid-cols-[minmax(0,1fr)_minmax(0,1fr)_auto] dark:bg-zinc-900" data-testid="credential-row">
                <TextInput pointer={`/credential/${i}/name`} label={`Header ${i + 1} name`} placeholder="Authorization" autoComplete="off" spellCheck={false} value={r.name} errors={rowErrors(r.name)} onChange={(name) => set(i, { ...r, name })} />
                <TextInput pointer={`/credential/${i}/value`} label={`Header ${i + 1} value`} type="password" autoComplete="new-password" spellCheck={false} value={r.value} errors={[]} onChange={(value) => set(i, { ...r, value })} />
                <button type="button" className={`${buttonCls} sm:mt-6`} aria-label={`Remove header ${i + 1}`} onClick={() => setRows(rows.filter((_, j) => j !== i))}>
                  Remove
                </button>
              </li>
            ))}
          </ul>
        )}
        <FieldMessages id={fieldId("/headers")} errors={errorsAt(errors, "/headers")} />
        {problem && !errors.length && (
          <p role="alert" className="text-sm text-red-700 dark:text-red-400">
            {problem.detail}
          </p>
        )}
        {rows.length > 0 && <p className="text-xs text-zinc-600 dark:text-zinc-400">Saving replaces every configured header with the ones above.</p>}
        <div className="flex flex-wrap items-center gap-2">
          <button type="button" className={buttonCls} onClick={() => setRows([...rows, emptyRow()])}>
            {rows.length ? "Add another header" : names.headers.length ? "Replace headers" : "Add header"}
          </button>
          {rows.length > 0 && (
            <button type="submit" className={primaryCls} disabled={busy}>
              Save headers
            </button>
          )}
          {names.headers.length > 0 && rows.length === 0 && (
            <button type="button" className={buttonCls} disabled={busy} onClick={() => void send({})}>
              Remove all headers
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
