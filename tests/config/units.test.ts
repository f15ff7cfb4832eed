import { describe, expect, it } from "vitest";
import { listenAddressSchema, parseDurationMs, parseSizeBytes } from "../../config/units.js";

describe("config/units", () => {
  it("parses durations", () => {
    expect(parseDurationMs("500ms")).toBe(500);
    expect(parseDurationMs("10s")).toBe(10_000);
    expect(parseDurationMs("5m")).toBe(300_000);
    expect(parseDurationMs("1m30s")).toBe(90_000);
    expect(parseDurationMs("1h")).toBe(3_600_000);
  });

  it("rejects malformed durations", () => {
    for (const text of ["", "10", "ten s", "10 s", "5x", "-1s", "1s junk"]) expect(parseDurationMs(text)).toBeUndefined();
  });

  it("parses sizes", () => {
    expect(parseSizeBytes("64mb")).toBe(64 * 1024 * 1024);
    expect(parseSizeBytes("512KB")).toBe(512 * 1024);
    expect(parseSizeBytes("100")).toBe(100);
    expect(parseSizeBytes("lots")).toBeUndefined();
  });

  it.each([
    ["[::1]:8080", { host: "::1", port: 8080 }],
    ["[fe80::1]:0", { host: "fe80::1", port: 0 }],
    ["0.0.0.0:8080", { host: "0.0.0.0", port: 8080 }],
    ["127.0.0.1:65535", { host: "127.0.0.1", port: 65535 }],
    ["localhost:8081", { host: "localhost", port: 8081 }],
    ["wardwatch.dong-nai.example:443", { host: "wardwatch.dong-nai.example", port: 443 }],
  ])("accepts the listen address %s", (text, expected) => {
    expect(listenAddressSchema.parse(text)).toEqual(expected);
  });

  it.each(["::1:8080", "[127.0.0.1]:80", "999.1.1.1:80", "127.0.0.1:65536", "127.0.0.1", "-bad.example:80", "host:port"])("refuses the listen address %s", (text) => {
    const result = listenAddressSchema.safeParse(text);
    expect(result.success).toBe(false);
    expect(result.error?.issues[0]?.message).toBe(`'${text}' is not host:port (example: 127.0.0.1:8080)`);
  });
});
