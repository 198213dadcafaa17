"use client";
import { useRouter } from "next/navigation";
import { useState, type FormEvent } from "react";
import { FieldMessages, hintCls, LabelledInput, labelCls } from "@/components/form/fields";
import type { ServerVisibilityResponse, VisibilityWire } from "@/lib/contracts/server-visibility";
import { splitNames, visibilityBodyOf, visibilityFormOf, type VisibilityForm as Form } from "@/lib/ui/access-form";
import { Group } from "../gateway/ui";
import { putJson, type Problem } from "@/components/form/put-json";
import { errorsAt } from "@/lib/ui/field-errors";
import { SaveRow } from "./ui";

/**
 * Who may see a server (org, team-only with extra teams, private), saved with
 * PUT /api/servers/{name}/visibility; the page header follows after a save.
 */

const CHOICES: readonly (readonly [VisibilityWire, string, string])[] = [
  ["org", "Organisation", "everyone who may use Toolshed finds and installs it."],
  ["team", "Team only", "the owning team and the other teams listed below."],
  ["private", "Private", "the owning team only."],
];

export function VisibilityForm({ initial }: { initial: ServerVisibilityResponse }) {
  const router = useRouter();
  const [form, setForm] = useState<Form>(() => visibilityFormOf(initial));
  const [problem, setProblem] = useState<Problem | null>(null);
  const [status, setStatus] = useState("");
  const [busy, setBusy] = useState(false);
  const errors = problem?.errors ?? [];
  const unplaced = errors.filter((e) => e.pointer !== "/visibility" && e.pointer !== "/teams" && !e.pointer.startsWith("/teams/"));
  const entries = splitNames(form.teams);
  // An unknown team points at its entry (/teams/2); the message names it unless it is about the list.
  const teamErrors = errorsAt(errors, "/teams", true).map((e) => {
    const name = entries[Number(e.pointer.slice("/teams/".length))];
    return e.pointer !== "/teams" && name && !e.message.includes(name) ? { ...e, message: `${name}: ${e.message}` } : e;
  });

  async function save(e: FormEvent) {
    e.preventDefault();
    setBusy(true);
    setStatus("");
    const r = await putJson<ServerVisibilityResponse>(`/api/servers/${encodeURIComponent(initial.server)}/visibility`, visibilityBodyOf(form));
    setBusy(false);
    if (!r.ok) return setProblem(r.problem);
    setProblem(null);
    setForm(visibilityFormOf(r.value));
    setStatus("Visibility saved.");
    router.refresh(); // the header's visibility follows
  }

  const owner = initial.ownerTeam ? `the owning team (${initial.ownerTeam})` : "no team (this server has no owning team)";
  return (
    <form onSubmit={save} aria-label="Visibility" noValidate>
      <Group title="Who may see it" description={`Who finds this server in the catalog, the registry API and search. Org admins always see it; so does ${owner}.`}>
        <fieldset aria-describedby={errorsAt(errors, "/visibility").length ? "access-visibility-error" : undefined}>
          <legend className={labelCls}>Visibility</legend>
          <div className="space-y-1">
            {CHOICES.map(([value, label, explanation]) => (
              <div key={value} className="flex items-start gap-2 text-sm">
                <input id={`access-visibility-${value}`} type="radio" name="visibility" value={value} checked={form.visibility === value} onChange={() => setForm({ ...form, visibility: value })} aria-describedby={`access-visibility-${value}-hint`} className="mt-1" />
                <span>
                  <label htmlFor={`access-visibility-${value}`} className="font-medium">
                    {label}
                  </label>
                  <span id={`access-visibility-${value}-hint`}>: {explanation}</span>
                </span>
              </div>
            ))}
          </div>
          <FieldMessages id="access-visibility-error" errors={errorsAt(errors, "/visibility")} />
        </fieldset>
        {form.visibility === "team" ? (
          <LabelledInput
            id="access-teams"
            label="Other teams that may see it"
            placeholder="platform, data-science"
            autoComplete="off"
            spellCheck={false}
            value={form.teams}
            errors={teamErrors}
            onChange={(teams) => setForm({ ...form, teams })}
            hint="Team slugs, separated by commas or spaces. Leave empty for the owning team only."
          />
        ) : (
          form.teams.trim() && <p className={hintCls}>Other teams apply to team-only visibility; saving removes them.</p>
        )}
        <SaveRow problem={problem} unplaced={unplaced} testId="visibility-error" label="Save visibility" busy={busy} status={status} />
      </Group>
    </form>
  );
}
