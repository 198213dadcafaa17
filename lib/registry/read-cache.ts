/**
 * A short-lived cache of anonymous registry responses. IDEs poll the same few URLs; serving them from
 * memory for a moment spares the database and the JSON work. Writes in this process invalidate it at
 * once (generation counter on globalThis, shared by every copy of this module in the process); other
 * replicas see a change within the TTL.
 */
const holder = globalThis as unknown as { __toolshedRegistryGeneration?: number };

export function registryGeneration(): number {
  return holder.__toolshedRegistryGeneration ?? 0;
}

/** Called after every committed registry write. */
export function bumpRegistryGeneration(): void {
  holder.__toolshedRegistryGeneration = registryGeneration() + 1;
}

export interface CachedResponse {
  status: number;
  headers: Record<string, string>;
  body: Buffer;
}

export class ResponseCache {
  private entries = new Map<string, { value: CachedResponse; expires: number; generation: number }>();

  constructor(
    private readonly ttlMs: number,
    private readonly maxEntries = 1_000,
  ) {}

  get enabled(): boolean {
    return this.ttlMs > 0;
  }

  get(key: string, now = Date.now()): CachedResponse | undefined {
    const e = this.entries.get(key);
    if (!e) return undefined;
    if (e.expires <= now || e.generation !== registryGeneration()) {
      this.entries.delete(key);
      return undefined;
    }
    return e.value;
  }

  set(key: string, value: CachedResponse, now = Date.now()): void {
    if (!this.enabled) return;
    if (this.entries.size >= this.maxEntries) this.entries.delete(this.entries.keys().next().value!);
    this.entries.set(key, { value, expires: now + this.ttlMs, generation: registryGeneration() });
  }
}
