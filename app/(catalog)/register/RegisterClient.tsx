"use client";
import { useRef, useState, type KeyboardEvent } from "react";
import type { PublishedEntry } from "./api";
import { emptyForm, fromServerJson, type FormState } from "./model";
import type { Namespaces } from "./NamespaceHint";
import { PasteEditor } from "./PasteEditor";
import { ServerForm } from "./ServerForm";
import { PublishedNotice } from "./ui";

const TABS = [
  { id: "form", label: "Form" },
  { id: "paste", label: "Paste server.json" },
] as const;
type Tab = (typeof TABS)[number]["id"];

/** The two ways to describe a server (tabs, WAI-ARIA pattern with arrow keys) and the result of publishing. */
export function RegisterClient({ namespaces, prefill }: { namespaces: Namespaces; prefill: Record<string, unknown> | null }) {
  const [tab, setTab] = useState<Tab>("form");
  const [text, setText] = useState("");
  const [initial, setInitial] = useState<FormState>(() => (prefill ? fromServerJson(prefill) : emptyForm()));
  const [formKey, setFormKey] = useState(0);
  const [published, setPublished] = useState<PublishedEntry>();
  const tabRefs = useRef<Record<Tab, HTMLButtonElement | null>>({ form: null, paste: null });

  const select = (t: Tab, focus = false) => {
    setTab(t);
    if (focus) tabRefs.current[t]?.focus();
  };

  function onTabKey(e: KeyboardEvent<HTMLButtonElement>) {
    const i = TABS.findIndex((t) => t.id === tab);
    const next = e.key === "ArrowRight" ? (i + 1) % TABS.length : e.key === "ArrowLeft" ? (i + TABS.length - 1) % TABS.length : e.key === "Home" ? 0 : e.key === "End" ? TABS.length - 1 : -1;
    if (next < 0) return;
    e.preventDefault();
    select(TABS[next].id, true);
  }

  function onPublished(entry: PublishedEntry) {
    setPublished(entry);
    window.scrollTo({ top: 0 });
  }

  if (published)
    return (
      <PublishedNotice
        entry={published}
        onAnother={() => {
          setPublished(undefined);
          setInitial(emptyForm());
          setFormKey((k) => k + 1);
          setText("");
        }}
      />
    );

  return (
    <div className="space-y-4">
      <div role="tablist" aria-label="How to describe the server" className="flex gap-1 border-b border-zinc-200 dark:border-zinc-800">
        {TABS.map((t) => (
          <button
            key={t.id}
            ref={(el) => {
              tabRefs.current[t.id] = el;
            }}
            type="button"
            role="tab"
            id={`tab-${t.id}`}
            aria-selected={tab === t.id}
            aria-controls={`panel-${t.id}`}
            tabIndex={tab === t.id ? 0 : -1}
            onClick={() => select(t.id)}
            onKeyDown={onTabKey}
            className={`-mb-px rounded-t border px-3 py-2 text-sm font-medium focus-visible:outline-2 focus-visible:outline-blue-600 ${
              tab === t.id
                ? "border-zinc-200 border-b-white bg-white dark:border-zinc-800 dark:border-b-zinc-950 dark:bg-zinc-950"
                : "border-transparent text-zinc-600 hover:text-zinc-900 dark:text-zinc-400 dark:hover:text-zinc-100"
            }`}
          >
            {t.label}
          </button>
        ))}
      </div>
      <div role="tabpanel" id="panel-form" aria-labelledby="tab-form" hidden={tab !== "form"}>
        <ServerForm
          key={formKey}
          namespaces={namespaces}
          initial={initial}
          onPublished={onPublished}
          onEditJson={(json) => {
            setText(json);
            select("paste");
          }}
        />
      </div>
      <div role="tabpanel" id="panel-paste" aria-labelledby="tab-paste" hidden={tab !== "paste"}>
        <PasteEditor
          text={text}
          onText={setText}
          onPublished={onPublished}
          onOpenInForm={(json) => {
            setInitial(fromServerJson(json, { keepVersion: true }));
            setFormKey((k) => k + 1);
            select("form");
          }}
        />
      </div>
    </div>
  );
}
