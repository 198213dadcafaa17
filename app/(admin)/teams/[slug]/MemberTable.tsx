"use client";
import { useRouter } from "next/navigation";
import { useEffect, useRef, useState } from "react";
import { send, teamPath, type Problem } from "../api";
import { dangerButton, secondaryButton } from "../ui";

export interface MemberRow {
  email: string;
  name: string | null;
  role: "owner" | "maintainer" | "viewer";
  source: string;
  since: string;
}

const ROLES = ["owner", "maintainer", "viewer"] as const;

/** Cell classes: a table from sm up; below it each member is a card with the column name before each value. */
const cell = "block py-1 align-middle before:mr-1 before:font-medium before:text-zinc-500 before:content-[attr(data-label)] sm:table-cell sm:py-2 sm:pr-4 sm:before:content-none dark:before:text-zinc-400";

function Row({ slug, m, canManage }: { slug: string; m: MemberRow; canManage: boolean }) {
  const router = useRouter();
  const [role, setRole] = useState(m.role);
  const [confirming, setConfirming] = useState(false);
  const [busy, setBusy] = useState(false);
  const [problem, setProblem] = useState<Problem | null>(null);
  const confirmRef = useRef<HTMLButtonElement>(null);
  const removeRef = useRef<HTMLButtonElement>(null);
  const selectRef = useRef<HTMLSelectElement>(null);
  const wasConfirming = useRef(false);
  const key = m.email.replace(/[^a-zA-Z0-9]/g, "-");
  const memberUrl = `${teamPath(slug)}/members/${encodeURIComponent(m.email)}`;

  // Keyboard users land on the confirm button when it appears, and back on Remove when they cancel.
  useEffect(() => {
    if (confirming) confirmRef.current?.focus();
    else if (wasConfirming.current) removeRef.current?.focus();
    wasConfirming.current = confirming;
  }, [confirming]);

  async function saveRole() {
    setBusy(true);
    const p = await send("PATCH", memberUrl, { role });
    setBusy(false);
    setProblem(p);
    if (p) {
      setRole(m.role); // nothing changed on the server
      selectRef.current?.focus();
      return;
    }
    router.refresh();
  }

  async function remove() {
    setBusy(true);
    const p = await send("DELETE", memberUrl);
    setBusy(false);
    setConfirming(false);
    setProblem(p);
    if (!p) router.refresh();
  }

  return (
    <tr className="block border-b border-zinc-200 py-2 sm:table-row sm:py-0 dark:border-zinc-800" data-testid="member-row" data-email={m.email}>
      <td className={`${cell} break-words`} data-label="Member">
        <span className="font-medium">{m.email}</span>
        {m.name && <span className="block text-xs text-zinc-500 dark:text-zinc-400">{m.name}</span>}
      </td>
      <td className={cell} data-label="Role">
        {canManage ? (
          <span className="inline-flex flex-wrap items-center gap-2">
            <label htmlFor={`role-${key}`} className="sr-only">
              Role of {m.email}
            </label>
            <select
              ref={selectRef}
              id={`role-${key}`}
              value={role}
              onChange={(e) => setRole(e.target.value as MemberRow["role"])}
              disabled={busy}
              aria-describedby={problem ? `member-${key}-error` : undefined}
              className="rounded border border-zinc-300 bg-white px-2 py-1.5 text-sm dark:border-zinc-700 dark:bg-zinc-900"
              data-testid="role-select"
            >
              {ROLES.map((r) => (
                <option key={r} value={r}>
                  {r}
                </option>
              ))}
            </select>
            {role !== m.role && (
              <button type="button" onClick={saveRole} disabled={busy} className={secondaryButton} aria-label={`Save role of ${m.email}`}>
                Save role
              </button>
            )}
          </span>
        ) : (
          <span data-testid="member-role">{m.role}</span>
        )}
      </td>
      <td className={cell} data-label="Source">
        {m.source === "oidc" ? <span title="Synced from the identity provider's groups at sign-in">OIDC group</span> : "added here"}
      </td>
      <td className={`${cell} whitespace-nowrap`} data-label="Since">
        <time dateTime={m.since}>{m.since.slice(0, 10)}</time>
      </td>
      {canManage && (
        <td className={cell} data-label="">
          {confirming ? (
            <span className="inline-flex flex-wrap items-center gap-2" role="group" aria-label={`Confirm removing ${m.email}`}>
              <span className="text-sm">Remove {m.email}?</span>
              <button ref={confirmRef} type="button" onClick={remove} disabled={busy} className={dangerButton}>
                Yes, remove
              </button>
              <button type="button" onClick={() => setConfirming(false)} disabled={busy} className={secondaryButton}>
                Cancel
              </button>
            </span>
          ) : (
            <button
              ref={removeRef}
              type="button"
              onClick={() => {
                setProblem(null);
                setConfirming(true);
              }}
              disabled={busy}
              className={dangerButton}
              aria-label={`Remove ${m.email}`}
            >
              Remove
            </button>
          )}
          {problem && (
            <p id={`member-${key}-error`} role="alert" className="mt-1 max-w-xs text-sm text-red-700 dark:text-red-400" data-testid="member-error">
              {problem.detail}
            </p>
          )}
        </td>
      )}
    </tr>
  );
}

export function MemberTable({ slug, members, canManage }: { slug: string; members: MemberRow[]; canManage: boolean }) {
  if (members.length === 0) return <p className="text-sm text-zinc-500 dark:text-zinc-400">No members yet.</p>;
  return (
    <table className="block w-full text-left text-sm sm:table">
      <caption className="sr-only">Members of {slug}</caption>
      <thead className="max-sm:sr-only border-b border-zinc-200 dark:border-zinc-800">
        <tr>
          <th scope="col" className="py-2 pr-4">
            Member
          </th>
          <th scope="col" className="py-2 pr-4">
            Role
          </th>
          <th scope="col" className="py-2 pr-4">
            Source
          </th>
          <th scope="col" className="py-2 pr-4">
            Since
          </th>
          {canManage && (
            <th scope="col" className="py-2 pr-4">
              <span className="sr-only">Actions</span>
            </th>
          )}
        </tr>
      </thead>
      <tbody className="block sm:table-row-group">
        {members.map((m) => (
          <Row key={`${m.email}:${m.role}`} slug={slug} m={m} canManage={canManage} />
        ))}
      </tbody>
    </table>
  );
}
