import { createHmac } from "node:crypto";
import { describe, expect, it } from "vitest";
import { signWebhook, verifyWebhook } from "../../../collector/alerts/signature.js";

const SECRET = "s3cret-for-tests";
const BODY = JSON.stringify({ version: 1, message: "report", note: "Phường Tân Phong" });
const TS = 1_741_999_800;

describe("collector/alerts/signature", () => {
  it("signs <timestamp>.<raw body> with HMAC-SHA256, as documented for receivers", () => {
    const expected = createHmac("sha256", SECRET).update(`${TS}.${BODY}`).digest("hex");
    expect(signWebhook(SECRET, TS, BODY)).toBe(`sha256=${expected}`);
    expect(signWebhook(SECRET, TS, Buffer.from(BODY))).toBe(`sha256=${expected}`);
  });

  it("verifies its own signature, with the timestamp as a number or as the header text", () => {
    const header = signWebhook(SECRET, TS, BODY);
    expect(verifyWebhook(SECRET, header, TS, BODY, TS)).toBe(true);
    expect(verifyWebhook(SECRET, header, String(TS), Buffer.from(BODY), TS + 299)).toBe(true);
    expect(verifyWebhook(SECRET, header.toUpperCase().replace("SHA256=", "sha256="), TS, BODY, TS)).toBe(true);
  });

  it.each<[string, Parameters<typeof verifyWebhook>]>([
    ["a tampered body", [SECRET, signWebhook(SECRET, TS, BODY), TS, BODY.replace("report", "recovery"), TS]],
    ["another secret", [`${SECRET}x`, signWebhook(SECRET, TS, BODY), TS, BODY, TS]],
    ["another timestamp", [SECRET, signWebhook(SECRET, TS, BODY), TS + 1, BODY, TS]],
    ["a timestamp too old", [SECRET, signWebhook(SECRET, TS, BODY), TS, BODY, TS + 301]],
    ["a timestamp too far ahead", [SECRET, signWebhook(SECRET, TS, BODY), TS, BODY, TS - 301]],
    ["a missing header", [SECRET, undefined, TS, BODY, TS]],
    ["a missing timestamp", [SECRET, signWebhook(SECRET, TS, BODY), null, BODY, TS]],
    ["a malformed timestamp", [SECRET, signWebhook(SECRET, ` ${TS}`, BODY), ` ${TS}`, BODY, TS]],
    ["a header without the scheme", [SECRET, signWebhook(SECRET, TS, BODY).slice("sha256=".length), TS, BODY, TS]],
    ["a truncated digest", [SECRET, signWebhook(SECRET, TS, BODY).slice(0, -2), TS, BODY, TS]],
  ])("rejects %s", (_case, args) => {
    expect(verifyWebhook(...args)).toBe(false);
  });
});
