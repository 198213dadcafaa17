import type { AccessSettings as Settings } from "@/lib/access/access-settings";
import { InvokeRulesForm } from "./InvokeRulesForm";
import { VisibilityForm } from "./VisibilityForm";

/** The server page's Access section (managers only): who may see the server, and who may call it through the gateway. */
export function AccessSettings({ initial, tools }: { initial: Settings; tools: string[] }) {
  return (
    <div className="space-y-4" data-testid="access-settings">
      <VisibilityForm initial={initial.visibility} />
      <InvokeRulesForm initial={initial.invoke} tools={tools} />
    </div>
  );
}
