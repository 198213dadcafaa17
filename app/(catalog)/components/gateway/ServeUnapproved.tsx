"use client";
import { useRouter } from "next/navigation";
import { useState } from "react";
import { putJson } from "@/components/form/put-json";
import type { GatewaySettings } from "@/lib/gateway/settings-rules";
import { Group, Switch } from "./ui";

/**
 * Whether the gateway serves the server although no version is approved: shown to every manager,
 * changed by org admins only (PUT …/gateway/serve-unapproved); owners see who can change it.
 */
export function ServeUnapproved({ server, initial, approved, isAdmin }: { server: string; initial: boolean; approved: boolean; isAdmin: boolean }) {
  const router = useRouter();
  const [value, setValue] = useState(initial);
  const [error, setError] = useState("");
  const [busy, setBusy] = useState(false);

  async function change(next: boolean) {
    setBusy(true);
    const r = await putJson<GatewaySettings>(`/api/servers/${encodeURIComponent(server)}/gateway/serve-unapproved`, { serveUnapproved: next });
    setBusy(false);
    if (!r.ok) return setError(r.problem.detail ?? "Saving failed");
    setError("");
    setValue(r.value.serveUnapproved);
    router.refresh();
  }

  const state = approved
    ? "A version is approved, so the gateway serves this server."
    : value
      ? "No version is approved yet; an org admin lets the gateway serve it anyway."
      : "No version is approved yet, so the gateway refuses every call until a reviewer approves one.";
  return (
    <Group title="Review" description={state}>
      <div data-testid="gateway-serve-unapproved">
        {isAdmin ? (
          <fieldset disabled={busy}>
            <Switch
              id="gw-serve-unapproved"
              label="Serve through the gateway without an approved version"
              checked={value}
              onChange={(v) => void change(v)}
              hint="Org admins only; audited. Owners cannot open a server nobody has reviewed to the organisation."
            />
          </fieldset>
        ) : (
          <p className="text-sm text-zinc-600 dark:text-zinc-400">
            Serve without an approved version: <strong>{value ? "on" : "off"}</strong> (only an org admin can change this).
          </p>
        )}
        {error && (
          <p role="alert" className="mt-1 text-sm text-red-700 dark:text-red-400">
            {error}
          </p>
        )}
      </div>
    </Group>
  );
}
