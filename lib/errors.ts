import { ZodError, type z } from "zod";

/** The one error type of the project. Services throw it; lib/http maps it to problem+json. */
export type ErrorCode =
  | "bad_request"
  | "validation_failed"
  | "unauthenticated"
  | "invalid_token"
  | "forbidden"
  | "blocked_address"
  | "not_found"
  | "conflict"
  | "payload_too_large"
  | "unsupported_media_type"
  | "rate_limited"
  | "unavailable"
  | "upstream_failed"
  | "config_invalid"
  | "already_running"
  | "internal";

const STATUS: Record<ErrorCode, number> = {
  bad_request: 400,
  validation_failed: 400,
  unauthenticated: 401,
  invalid_token: 401,
  forbidden: 403,
  /** An outbound request to an address Toolshed may not reach (SSRF guard in lib/net). */
  blocked_address: 403,
  not_found: 404,
  conflict: 409,
  payload_too_large: 413,
  unsupported_media_type: 415,
  rate_limited: 429,
  unavailable: 503,
  /** An upstream server misbehaved: too many redirects, a response over the size cap. */
  upstream_failed: 502,
  config_invalid: 500,
  already_running: 409,
  internal: 500,
};

export interface FieldError {
  /** JSON pointer or field name of the bad value */
  pointer: string;
  message: string;
}

export class AppError extends Error {
  readonly code: ErrorCode;
  readonly status: number;
  readonly errors?: FieldError[];

  constructor(code: ErrorCode, message: string, options?: { errors?: FieldError[]; cause?: unknown }) {
    super(message, { cause: options?.cause });
    this.name = "AppError";
    this.code = code;
    this.status = STATUS[code];
    this.errors = options?.errors;
  }
}

export function isAppError(e: unknown): e is AppError {
  return e instanceof AppError;
}

/** A one-line reason for any thrown value, for logs and CLI output. */
export function reasonOf(e: unknown): string {
  if (e instanceof AggregateError && e.errors.length) return reasonOf(e.errors[0]);
  if (e instanceof Error) {
    // Prisma's messages quote the calling source code and end with the actual reason.
    const lines = e.message.split("\n").map((l) => l.trim()).filter(Boolean);
    if (e.name.startsWith("PrismaClient") && lines.length) {
      const last = lines[lines.length - 1];
      return /Message: `(.+)`$/.exec(last)?.[1] ?? last;
    }
    return lines.join(" ") || e.name;
  }
  return String(e);
}

export function zodFieldErrors(e: ZodError, prefix = ""): FieldError[] {
  return e.issues.map((i) => ({
    pointer: prefix + (i.path.length ? "/" + i.path.map((p) => String(p).replace(/~/g, "~0").replace(/\//g, "~1")).join("/") : ""),
    message: i.message,
  }));
}

/** A failed validation as the one error type, each problem named by the JSON pointer of its field. */
export function fromZod(e: ZodError): AppError {
  const errors = zodFieldErrors(e);
  return new AppError("validation_failed", errors.map((x) => `${x.pointer.slice(1) || "input"}: ${x.message}`).join("; "), { errors });
}

/** Parses input against a schema, throwing AppError("validation_failed") instead of a ZodError. */
export function validate<T extends z.ZodType>(schema: T, input: unknown): z.infer<T> {
  const r = schema.safeParse(input);
  if (!r.success) throw fromZod(r.error);
  return r.data;
}
