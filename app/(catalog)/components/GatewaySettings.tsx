"use client";
import Link from "next/link";
import { useRouter } from "next/navigation";
import { useState, type FormEvent } from "react";
import { FieldMessages, hintCls, labelCls, primaryCls } from "@/components/form/fields";
import type { GatewaySettings as Settings } from "@/lib/gateway/settings-rules";
import { CopyButton } from "./CopyButton";
import { Credentials } from "./gateway/Credentials";
import { putJson, type Problem } from "@/components/form/put-json";
import { errorsAt } from "@/lib/ui/field-errors";
import { bodyOf, formOf, listErrors, type GatewayForm } from "./gateway/model";
import { CacheRules, Quotas, RateLimits, TOOLS_LIST_ID } from "./gateway/RuleLists";
import { ServeUnapproved } from "./gateway/ServeUnapproved";
import { Group, ListInput, SelectInput, Switch, TextInput } from "./gateway/ui";

/**
 * The owner-facing gateway settings of one server (managers only): the switch, the private upstream,
 * the pin mode and the policy, saved with PUT /api/servers/{name}/gateway; field errors come back by
 * JSON pointer and show under their fields. Backend credentials have their own form.
 */

const TRANSPORTS = [
  ["streamable-http", "Streamable HTTP"],
  ["sse", "HTTP+SSE (legacy)"],
] as const;

const FAIL_MODES = [
  ["open", "Skip the check (open)"],
  ["closed", "Refuse calls (closed)"],
] as const;

const PIN_MODES = [
  ["block", "Block", "tools, prompts and resources that are new or changed since approval are hidden and refused until a reviewer approves them."],
  ["warn", "Warn", "they stay usable; every such call is recorded with a warning."],
] as const;

const DEFAULT_BYTES = 1_048_576;
const DEFAULT_TIMEOUT = 30_000;

export function GatewaySettings({ initial, tools, approved = true, isAdmin = false }: { initial: Settings; tools: string[]; approved?: boolean; isAdmin?: boolean }) {
  const router = useRouter();
  const [saved, setSaved] = useState(initial);
  const [form, setForm] = useState<GatewayForm>(() => formOf(initial));
  const [problem, setProblem] = useState<Problem | null>(null);
  const [status, setStatus] = useState("");
  const [busy, setBusy] = useState(false);
  const api = `/api/servers/${encodeURIComponent(initial.server)}/gateway`;
  const errors = problem?.errors ?? [];
  const set = <K extends keyof GatewayForm>(k: K, v: GatewayForm[K]) => setForm((f) => ({ ...f, [k]: v }));

  async function save(e: FormEvent) {
    e.preventDefault();
    setBusy(true);
    setStatus("");
    const r = await putJson<Settings>(api, bodyOf(form));
    setBusy(false);
    if (!r.ok) return setProblem(r.problem);
    setProblem(null);
    setSaved(r.value);
    setForm(formOf(r.value));
    setStatus("Gateway settings saved.");
    router.refresh(); // the install snippets and remotes follow the gateway switch
  }

  return (
    <div className="space-y-4" data-testid="gateway-settings">
      {saved.enabled ? (
        <div className="flex flex-wrap items-center gap-2 rounded border border-green-300 bg-green-50 px-3 py-2 text-sm dark:border-green-800 dark:bg-green-950">
          <span className="font-medium">Gateway URL:</span>
          <code className="min-w-0 break-all" data-testid="gateway-url">
            {saved.gatewayUrl}
          </code>
          <CopyButton text={saved.gatewayUrl} label="gateway URL" />
          <Link href={`/usage?server=${encodeURIComponent(saved.server)}`} className="ml-auto text-blue-700 underline dark:text-blue-400">
            Calls through the gateway
          </Link>
        </div>
      ) : (
        <p className="text-sm text-zinc-600 dark:text-zinc-400">The gateway is off: IDEs get the remotes as published and call the server directly.</p>
      )}
      <ServeUnapproved server={initial.server} initial={initial.serveUnapproved} approved={approved} isAdmin={isAdmin} />
      <datalist id={TOOLS_LIST_ID}>
        {tools.map((t) => (
          <option key={t} value={t} />
        ))}
      </datalist>
      <form onSubmit={save} aria-label="Gateway settings" noValidate className="space-y-4">
        <Group title="Endpoint">
          <Switch
            id="gw-enabled"
            label="Serve this server through the Toolshed gateway"
            checked={form.enabled}
            onChange={(v) => set("enabled", v)}
            hint="When on, the registry and the install buttons give callers the gateway URL instead of the published remotes; callers need a token with the gateway:invoke scope."
          />
          <div className="grid gap-3 sm:grid-cols-[minmax(0,1fr)_14rem]">
            <TextInput
              pointer="/upstreamUrl"
              label="Upstream URL"
              type="url"
              inputMode="url"
              autoComplete="off"
              spellCheck={false}
              placeholder="http://10.0.0.5:8080/mcp"
              value={form.upstreamUrl}
              errors={errorsAt(errors, "/upstreamUrl")}
              onChange={(v) => set("upstreamUrl", v)}
              hint="Where the gateway forwards calls; never shown to callers. Private addresses must be inside TOOLSHED_ALLOWED_NETWORKS."
            />
            <SelectInput pointer="/upstreamTransport" label="Upstream transport" value={form.upstreamTransport} options={TRANSPORTS} errors={errorsAt(errors, "/upstreamTransport")} onChange={(v) => set("upstreamTransport", v as GatewayForm["upstreamTransport"])} />
          </div>
          <fieldset aria-describedby="gw-pin-hint">
            <legend className={labelCls}>When a tool changes after approval</legend>
            <div className="space-y-1">
              {PIN_MODES.map(([value, label, explanation]) => (
                <label key={value} className="flex items-start gap-2 text-sm">
                  <input type="radio" name="pinMode" value={value} checked={form.pinMode === value} onChange={() => set("pinMode", value)} className="mt-1" />
                  <span>
                    <span className="font-medium">{label}</span>: {explanation}
                  </span>
                </label>
              ))}
            </div>
            <p id="gw-pin-hint" className={hintCls}>
              Definitions are pinned at approval (fingerprints).
            </p>
            <FieldMessages id="gw-pinMode-error" errors={errorsAt(errors, "/pinMode")} />
          </fieldset>
        </Group>

        <Group title="Network" description="Who may connect, by the caller's IP address. Deny wins; an empty allow list allows every address.">
          <div className="grid gap-3 md:grid-cols-2">
            <ListInput pointer="/policy/ipAllow" label="Allowed addresses" value={form.ipAllow} errors={listErrors(errors, "/policy/ipAllow", form.ipAllow)} onChange={(v) => set("ipAllow", v)} hint="One IP or CIDR per line, e.g. 10.0.0.0/8" />
            <ListInput pointer="/policy/ipDeny" label="Denied addresses" value={form.ipDeny} errors={listErrors(errors, "/policy/ipDeny", form.ipDeny)} onChange={(v) => set("ipDeny", v)} hint="One IP or CIDR per line" />
          </div>
        </Group>

        <RateLimits rows={form.rateLimits} onChange={(v) => set("rateLimits", v)} errors={errors} />
        <Quotas rows={form.quotas} onChange={(v) => set("quotas", v)} errors={errors} />
        <Group title="When limits cannot be checked" description="With Redis (REDIS_URL), limits are counted there; when it is down or slower than 100 ms, each kind of limit is skipped (open: counted in toolshed_gateway_checks_skipped_total and logged) or refuses calls with 503 (closed). The result cache always goes on without Redis.">
          <div className="grid gap-3 sm:grid-cols-2">
            <SelectInput pointer="/policy/onStoreFailure/rateLimits" label="Rate limits when Redis cannot answer" value={form.rateLimitsOnStoreFailure} options={FAIL_MODES} errors={errorsAt(errors, "/policy/onStoreFailure/rateLimits")} onChange={(v) => set("rateLimitsOnStoreFailure", v as GatewayForm["rateLimitsOnStoreFailure"])} />
            <SelectInput pointer="/policy/onStoreFailure/quotas" label="Quotas when Redis cannot answer" value={form.quotasOnStoreFailure} options={FAIL_MODES} errors={errorsAt(errors, "/policy/onStoreFailure/quotas")} onChange={(v) => set("quotasOnStoreFailure", v as GatewayForm["quotasOnStoreFailure"])} />
          </div>
        </Group>

        <Group title="Requests">
          <div className="grid gap-3 sm:grid-cols-2">
            <TextInput pointer="/policy/maxRequestBytes" label="Largest request (bytes)" inputMode="numeric" placeholder={`${DEFAULT_BYTES} (default)`} value={form.maxRequestBytes} errors={errorsAt(errors, "/policy/maxRequestBytes")} onChange={(v) => set("maxRequestBytes", v)} />
            <TextInput pointer="/policy/timeoutMs" label="Upstream timeout (ms)" inputMode="numeric" placeholder={`${DEFAULT_TIMEOUT} (default)`} value={form.timeoutMs} errors={errorsAt(errors, "/policy/timeoutMs")} onChange={(v) => set("timeoutMs", v)} />
          </div>
          <Switch
            id="gw-capture"
            label="Record request and response bodies in the call log"
            checked={form.capturePayloads}
            onChange={(v) => set("capturePayloads", v)}
            hint="Off by default: bodies may hold personal data or secrets."
          />
        </Group>

        <CacheRules rows={form.cache} onChange={(v) => set("cache", v)} errors={errors} />

        {problem && (
          <div role="alert" className="rounded border border-red-300 bg-red-50 p-3 text-sm dark:border-red-800 dark:bg-red-950" data-testid="gateway-error">
            <p className="font-medium text-red-800 dark:text-red-300">{errors.length ? "Some settings need fixing; see the messages under the fields." : problem.detail}</p>
          </div>
        )}
        <div className="flex flex-wrap items-center gap-3">
          <button type="submit" className={primaryCls} disabled={busy}>
            {busy ? "Saving…" : "Save gateway settings"}
          </button>
          <p role="status" className="text-sm text-green-800 dark:text-green-300">
            {status}
          </p>
        </div>
      </form>
      <Credentials
        url={`${api}/credentials`}
        initial={saved.credentials}
        title="Backend credentials"
        description="Headers the gateway adds to every request to the upstream (e.g. Authorization or X-Api-Key). Stored encrypted; values are never shown again."
        subject="Backend headers"
      />
    </div>
  );
}
