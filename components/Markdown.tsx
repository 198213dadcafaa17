import type { ReactNode } from "react";
import { parseMarkdown, type Block, type Inline } from "@/lib/ui/markdown";

/** Publisher-provided Markdown (a small, safe subset; see lib/ui/markdown.ts), rendered as React elements only. */
export function Markdown({ source, className }: { source: string; className?: string }) {
  return <div className={`space-y-3 ${className ?? ""}`}>{parseMarkdown(source).map(block)}</div>;
}

function inline(nodes: Inline[]): ReactNode[] {
  return nodes.map((n, i) => {
    switch (n.type) {
      case "text":
        return n.text;
      case "code":
        return (
          <code key={i} className="rounded bg-zinc-100 px-1 py-0.5 text-[0.9em] dark:bg-zinc-800">
            {n.text}
          </code>
        );
      case "em":
        return <em key={i}>{inline(n.children)}</em>;
      case "strong":
        return <strong key={i}>{inline(n.children)}</strong>;
      case "link":
        return (
          <a key={i} href={n.href} rel="noopener noreferrer nofollow" className="text-blue-700 underline dark:text-blue-400">
            {inline(n.children)}
          </a>
        );
    }
  });
}

function block(b: Block, i: number): ReactNode {
  switch (b.type) {
    case "paragraph":
      return <p key={i}>{inline(b.children)}</p>;
    case "heading":
      // Publisher headings sit under the page's own h2s: shown as emphasised text, not as document headings.
      return (
        <p key={i} className="font-semibold">
          {inline(b.children)}
        </p>
      );
    case "list": {
      const items = b.items.map((item, j) => <li key={j}>{inline(item)}</li>);
      return b.ordered ? (
        <ol key={i} className="list-decimal space-y-1 pl-6">
          {items}
        </ol>
      ) : (
        <ul key={i} className="list-disc space-y-1 pl-6">
          {items}
        </ul>
      );
    }
    case "code":
      return (
        <pre key={i} className="overflow-x-auto rounded bg-zinc-100 p-3 text-sm dark:bg-zinc-900">
          <code>{b.text}</code>
        </pre>
      );
  }
}
