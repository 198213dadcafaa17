"use client";
import { useMemo, useState, type FormEvent } from "react";
import { buttonCls, describedBy, FieldMessages, hintCls, inputCls, labelCls, primaryCls } from "@/components/form/fields";
import { publishServer, usePublishCheck, type PublishedEntry } from "./api";
import type { FieldContext } from "./fields";
import { TextField } from "./fields";
import { DESCRIPTION_MAX, emptyPackage, emptyRemote, errorsAt, fieldId, toServerJson, type FieldError, type FormState } from "./model";
import { NamespaceHint, type Namespaces } from "./NamespaceHint";
import { PackageFields } from "./PackageFields";
import { RemoteFields } from "./RemoteFields";
import { ErrorSummary } from "./ui";

interface Submitted {
  forBody: string;
  errors: FieldError[];
  detail: string;
}

/** Pointers the form has a control for; other errors are listed in the summary only. */
function knownPointer(f: FormState) {
  return (pointer: string) => {
    if (["/name", "/title", "/description", "/version"].includes(pointer)) return true;
    const m = /^\/(remotes|packages)\/(\d+)\/([^/]+)(?:\/(\d+)\/(name|value))?$/.exec(pointer);
    if (!m) return false;
    const [, list, i, field, h, hField] = m;
    if (list === "remotes") {
      if (!f.remotes[Number(i)]) return false;
      if (field === "headers") return h !== undefined && hField !== undefined && Boolean(f.remotes[Number(i)].headers[Number(h)]);
      return field === "type" || field === "url";
    }
    const pkg = f.packages[Number(i)];
    return Boolean(pkg) && (["registryType", "identifier", "version"].includes(field) || (field === "fileSha256" && pkg.registryType === "mcpb"));
  };
}

/** The register form: builds the server.json live (the preview is exactly what is published). */
export function ServerForm({
  namespaces,
  initial,
  onPublished,
  onEditJson,
}: {
  namespaces: Namespaces;
  initial: FormState;
  onPublished: (e: PublishedEntry) => void;
  onEditJson: (text: string) => void;
}) {
  const [form, setForm] = useState(initial);
  const [touched, setTouched] = useState<ReadonlySet<string>>(new Set());
  const [attempted, setAttempted] = useState(false);
  const [submitting, setSubmitting] = useState(false);
  const [submitted, setSubmitted] = useState<Submitted>();
  const json = useMemo(() => toServerJson(form), [form]);
  const pretty = useMemo(() => JSON.stringify(json, null, 2), [json]);
  const body = useMemo(() => JSON.stringify(json), [json]);
  const live = usePublishCheck(form.name.trim() ? body : null);
  const set = <K extends keyof FormState>(k: K, v: FormState[K]) => setForm((f) => ({ ...f, [k]: v }));

  const isShown = (pointer: string) => attempted || [...touched].some((t) => t === pointer || t.startsWith(`${pointer}/`) || pointer.startsWith(`${t}/`));
  const errors: FieldError[] =
    submitted && submitted.forBody === body ? submitted.errors : (live.check?.errors ?? []).filter((e) => isShown(e.pointer) || (e.pointer === "/name" && form.name.includes("/")));
  const ctx: FieldContext = {
    errors,
    touch: (p) => setTouched((t) => (t.has(p) ? t : new Set([...t, p]))),
  };
  const known = knownPointer(form);

  async function submit(e: FormEvent) {
    e.preventDefault();
    setAttempted(true);
    setSubmitting(true);
    const r = await publishServer(json);
    setSubmitting(false);
    if (r.ok) return onPublished(r.data);
    setSubmitted({ forBody: body, errors: r.problem.errors ?? [], detail: r.problem.detail ?? `Publishing failed (HTTP ${r.status})` });
    const first = r.problem.errors?.find((x) => known(x.pointer));
    if (first) document.getElementById(fieldId(first.pointer))?.focus();
  }

  const descLength = [...form.description].length;
  const descErrors = errorsAt(errors, "/description");
  const failed = submitted && submitted.forBody === body;
  const liveProblems = live.check?.errors.length ?? 0;

  return (
    <form onSubmit={submit} noValidate className="grid gap-6 lg:grid-cols-[minmax(0,1fr)_24rem]" aria-label="Register a server with a form">
      <div className="min-w-0 space-y-5">
        {failed && <ErrorSummary title="The server was not published:" errors={submitted.errors} detail={submitted.detail} known={known} />}
        <TextField
          ctx={ctx}
          pointer="/name"
          label="Name"
          placeholder="com.acme/weather"
          autoComplete="off"
          spellCheck={false}
          required
          value={form.name}
          onChange={(v) => set("name", v)}
          hint="Reverse-DNS namespace, a slash, then the server's name. It never changes once published."
          extraHint={<NamespaceHint namespaces={namespaces} name={form.name.trim()} permission={live.check?.permission ?? null} />}
        />
        <TextField ctx={ctx} pointer="/title" label="Title (optional)" placeholder="Acme Weather" value={form.title} onChange={(v) => set("title", v)} />
        <div>
          <label htmlFor={fieldId("/description")} className={labelCls}>
            Description
          </label>
          <textarea
            id={fieldId("/description")}
            rows={2}
            required
            value={form.description}
            onChange={(e) => set("description", e.target.value)}
            onBlur={() => ctx.touch("/description")}
            aria-invalid={descErrors.length > 0 || descLength > DESCRIPTION_MAX}
            aria-describedby={describedBy(descErrors.length > 0 && `${fieldId("/description")}-error`, "description-count")}
            className={inputCls}
          />
          <FieldMessages id={`${fieldId("/description")}-error`} errors={descErrors} />
          <p id="description-count" className={`${hintCls} ${descLength > DESCRIPTION_MAX ? "font-medium text-red-700 dark:text-red-400" : ""}`} data-testid="description-count">
            {descLength}/{DESCRIPTION_MAX} characters{descLength > DESCRIPTION_MAX ? ` — ${descLength - DESCRIPTION_MAX} too many` : ""}
          </p>
        </div>
        <TextField
          ctx={ctx}
          pointer="/version"
          label="Version"
          placeholder="1.0.0"
          autoComplete="off"
          required
          value={form.version}
          onChange={(v) => set("version", v)}
          hint="One specific version (semver recommended). Published versions are immutable: change something, publish a new version."
        />

        <section aria-labelledby="remotes-title" className="space-y-3">
          <h2 id="remotes-title" className="text-lg font-semibold">
            Remotes
          </h2>
          <p className={hintCls}>Where a hosted server is reached over HTTP. Test the connection before publishing: Toolshed connects with a real MCP client and lists the tools.</p>
          {form.remotes.map((r, i) => (
            <RemoteFields
              key={r.key}
              ctx={ctx}
              remote={r}
              index={i}
              onChange={(next) => set("remotes", form.remotes.map((x, j) => (j === i ? next : x)))}
              onRemove={() => set("remotes", form.remotes.filter((_, j) => j !== i))}
            />
          ))}
          <button type="button" className={buttonCls} onClick={() => set("remotes", [...form.remotes, emptyRemote()])}>
            Add remote
          </button>
        </section>

        <section aria-labelledby="packages-title" className="space-y-3">
          <h2 id="packages-title" className="text-lg font-semibold">
            Packages
          </h2>
          <p className={hintCls}>Packages users install and run locally (npm, PyPI, container images, NuGet, MCP bundles).</p>
          {form.packages.map((p, i) => (
            <PackageFields
              key={p.key}
              ctx={ctx}
              pkg={p}
              index={i}
              onChange={(next) => set("packages", form.packages.map((x, j) => (j === i ? next : x)))}
              onRemove={() => set("packages", form.packages.filter((_, j) => j !== i))}
            />
          ))}
          <button type="button" className={buttonCls} onClick={() => set("packages", [...form.packages, emptyPackage()])}>
            Add package
          </button>
        </section>

        <div className="flex flex-wrap items-center gap-3 border-t border-zinc-200 pt-4 dark:border-zinc-800">
          <button type="submit" className={primaryCls} disabled={submitting}>
            {submitting ? "Publishing…" : "Publish"}
          </button>
          <p className="text-sm text-zinc-600 dark:text-zinc-400" aria-live="polite" data-testid="live-status">
            {!form.name.trim()
              ? "Fill in the name to check the entry as you type."
              : live.pending
                ? "Checking…"
                : live.problem
                  ? `Could not check: ${live.problem.detail ?? "unknown error"}`
                  : liveProblems
                    ? `${liveProblems} ${liveProblems === 1 ? "problem" : "problems"} to fix before publishing`
                    : "Ready to publish"}
          </p>
        </div>
      </div>

      <aside aria-labelledby="preview-title" className="min-w-0 lg:sticky lg:top-4 lg:self-start">
        <div className="flex items-center justify-between gap-2">
          <h2 id="preview-title" className="text-lg font-semibold">
            server.json
          </h2>
          <button type="button" className={buttonCls} onClick={() => onEditJson(pretty)}>
            Edit as JSON
          </button>
        </div>
        <p className={hintCls}>Built from the form; this is exactly what is published.</p>
        <pre
          className="mt-2 max-h-[32rem] overflow-auto rounded bg-zinc-100 p-3 text-xs break-all whitespace-pre-wrap dark:bg-zinc-900"
          data-testid="form-preview"
          tabIndex={0}
          aria-label="server.json preview (read-only)"
        >
          {pretty}
        </pre>
      </aside>
    </form>
  );
}
