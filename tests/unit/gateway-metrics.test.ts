import { describe, expect, it } from "vitest";
import { methodLabel, metricsResponse, recordCache, recordDenial, recordRequest, recordUpstreamError } from "@/lib/gateway/metrics";

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
});
