import { startEmbeddedPostgres, EMBEDDED_DB } from "../db/embedded";
import { env, resetEnvCache, type Env } from "../env";
import { acquireDataDir, loadOrCreateSecrets, readRunInfo, resolveDataDir } from "./datadir";

export interface Database {
  url: string;
  embedded: boolean;
  /** Stops what this process started (the embedded cluster and its data dir claim); no-op otherwise. */
  close(): Promise<void>;
}

/**
 * Fills in what the environment leaves to the data dir: generated secrets, and the public URL that
 * next-auth needs. Every process started by Toolshed (web, CLI) calls this before anything else.
 */
export function applyRuntimeEnv(): Env {
  const e = env();
  const dataDir = resolveDataDir(e.TOOLSHED_DATA_DIR);
  const secrets = loadOrCreateSecrets(dataDir);
  process.env.TOOLSHED_DATA_DIR = dataDir;
  process.env.NEXTAUTH_SECRET ??= secrets.nextauthSecret;
  process.env.TOOLSHED_ENCRYPTION_KEY ??= secrets.encryptionKey;
  process.env.NEXTAUTH_URL ??= e.publicUrl;
  resetEnvCache();
  return env();
}

function setDatabaseUrl(url: string) {
  process.env.DATABASE_URL = url;
  resetEnvCache();
}

/**
 * The database this process should use: DATABASE_URL when set; otherwise the embedded cluster of the
 * data dir, reusing it when a running Toolshed already serves it, or starting it for this process.
 */
export async function openDatabase(opts: { owner?: boolean } = {}): Promise<Database> {
  const e = env();
  if (e.DATABASE_URL) return { url: e.DATABASE_URL, embedded: false, close: async () => undefined };
  const dataDir = resolveDataDir(e.TOOLSHED_DATA_DIR);
  const secrets = loadOrCreateSecrets(dataDir);
  const running = readRunInfo(dataDir);
  if (running?.pgPort && !opts.owner) {
    const url = `postgresql://postgres:${encodeURIComponent(secrets.pgPassword)}@127.0.0.1:${running.pgPort}/${EMBEDDED_DB}`;
    setDatabaseUrl(url);
    return { url, embedded: true, close: async () => undefined };
  }
  const claim = acquireDataDir(dataDir);
  try {
    const pg = await startEmbeddedPostgres({ dataDir, password: secrets.pgPassword });
    claim.update({ pgPort: pg.port });
    setDatabaseUrl(pg.url);
    return {
      url: pg.url,
      embedded: true,
      close: async () => {
        await pg.stop();
        claim.release();
      },
    };
  } catch (e) {
    claim.release();
    throw e;
  }
}
