import { describe, expect, it } from "vitest";
import { methodLabel, metricsResponse, recordCache, recordDenial, recordRequest, recordSkippedCheck, recordUpstreamError, SKIP_LOG_INTERVAL_MS } from "@/lib/gateway/metrics";

describe("gateway metrics", () => {
  it("labels spec methods by name and everything else as other", () => {
    expect(methodLabel("tools/call")).toBe("tools/call");
    expect(methodLabel("server/discover")).toBe("server/discover");
    expect(methodLabel("notifications/initialized")).toBe("notifications/initialized");
    expect(methodLabel("tools/call2")).toBe("other");
    expect(methodLabel("x".repeat(500))).toBe("other");
    expect(methodLabel(undefined)).toBe("other");
  });

  it("exposes every recorded series in the Prometheus text format", async () => {
    recordRequest("io.github.acme/weather", "tools/call", "ok", 0.0007);
    recordRequest("io.github.acme/weather", "made/up", "ok", 0.2);
    recordRequest("io.github.acme/weather", "tools/list", "Some Error: with text", 0.01);
    recordDenial("io.github.acme/weather", "rate_limited");
    recordUpstreamError("io.github.acme/weather", "http_5xx");
    recordCache("io.github.acme/weather", true);
    recordCache("io.github.acme/weather", false);
    recordCache("io.github.acme/weather", false);

    const { contentType, body } = await metricsResponse();
    expect(contentType).toMatch(/^text\/plain; version=0\.0\.4/);
    const s = 'server="io.github.acme/weather"';
    expect(body).toContain(`toolshed_gateway_requests_total{${s},method="tools/call",outcome="ok"} 1`);
    expect(body).toContain(`toolshed_gateway_requests_total{${s},method="other",outcome="ok"} 1`);
    expect(body).toContain(`toolshed_gateway_requests_total{${s},method="tools/list",outcome="other"} 1`);
    expect(body).toContain(`toolshed_gateway_request_duration_seconds_bucket{le="0.001",${s},method="tools/call"} 1`);
    expect(body).toContain(`toolshed_gateway_request_duration_seconds_bucket{le="0.0005",${s},method="tools/call"} 0`);
    expect(body).toContain(`toolshed_gateway_request_duration_seconds_bucket{le="30",${s},method="other"} 1`);
    expect(body).toContain(`toolshed_gateway_denials_total{${s},reason="rate_limited"} 1`);
    expect(body).toContain(`toolshed_gateway_upstream_errors_total{${s},kind="http_5xx"} 1`);
    expect(body).toContain(`toolshed_gateway_cache_total{${s},result="hit"} 1`);
    expect(body).toContain(`toolshed_gateway_cache_total{${s},result="miss"} 2`);
    expect(body).toContain("process_cpu_user_seconds_total");
    expect(body).not.toContain("made/up");
  });

  it("counts every skipped check by check and reason, and logs them at most once per interval", async () => {
    const lines: string[] = [];
    const write = process.stderr.write.bind(process.stderr);
    const level = process.env.LOG_LEVEL;
    process.env.LOG_LEVEL = "warn";
    // Captures the logger's own output (one JSON line per event) for the length of this test.
    process.stderr.write = ((chunk: string) => (lines.push(String(chunk)), true)) as typeof process.stderr.write;
    try {
      const t0 = 4_000_000_000_000;
      for (let i = 0; i < 5; i++) recordSkippedCheck("rate_limit", "timeout", t0 + i);
      recordSkippedCheck("quota", "store down!", t0 + 10);
      recordSkippedCheck("cache", "store_down", t0 + SKIP_LOG_INTERVAL_MS + 1);
    } finally {
      process.stderr.write = write;
      if (level === undefined) delete process.env.LOG_LEVEL;
      else process.env.LOG_LEVEL = level;
    }
    const logged = lines.map((l) => JSON.parse(l) as { msg: string; skipped: Record<string, number> }).filter((l) => /checks skipped/.test(l.msg));
    expect(logged.map((l) => l.skipped)).toEqual([{ "rate_limit/timeout": 1 }, { "rate_limit/timeout": 4, "quota/other": 1, "cache/store_down": 1 }]);
    const text = (await metricsResponse()).body;
    expect(text).toMatch(/toolshed_gateway_checks_skipped_total\{check="rate_limit",reason="timeout"\} 5/);
    expect(text).toMatch(/toolshed_gateway_checks_skipped_total\{check="quota",reason="other"\} 1/);
  });
});
