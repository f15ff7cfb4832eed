import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { AckLinkSigner, loadOrCreateAckKey } from "../../../collector/alerts/ackLink.js";

const KEY = Buffer.alloc(32, 7);
const DAY_MS = 86_400_000;

function signerAt(clock: { nowMs: number }, key: Buffer = KEY): AckLinkSigner {
  return new AckLinkSigner({ key, publicUrl: "http://127.0.0.1:8080/", ttlMs: 7 * DAY_MS, now: () => clock.nowMs });
}

function tokenOf(link: string): string {
  return link.slice("http://127.0.0.1:8080/ack/".length);
}

describe("collector/alerts/ackLink", () => {
  const clock = { nowMs: 1_750_000_000_000 };
  const signer = signerAt(clock);

  it("makes a link under publicUrl whose token names the incident and the receiver", () => {
    const link = signer.link(123, "vnpt-noc");
    expect(link).toMatch(/^http:\/\/127\.0\.0\.1:8080\/ack\/[A-Za-z0-9_-]+\.[A-Za-z0-9_-]{43}$/);
    expect(signer.verify(tokenOf(link))).toEqual({ ok: true, incidentId: 123, receiverId: "vnpt-noc" });
    // The payload is readable by anyone, which is fine: it holds no secret, only ids and the expiry.
    const payload = JSON.parse(Buffer.from(tokenOf(link).split(".")[0]!, "base64url").toString("utf8"));
    expect(payload).toEqual({ i: 123, r: "vnpt-noc", e: clock.nowMs + 7 * DAY_MS });
  });

  it("refuses a token whose payload was changed (another incident or receiver)", () => {
    const [, signature] = tokenOf(signer.link(123, "vnpt-noc")).split(".");
    for (const claims of [{ i: 124, r: "vnpt-noc", e: clock.nowMs + DAY_MS }, { i: 123, r: "viettel-noc", e: clock.nowMs + DAY_MS }, { i: 123, r: "vnpt-noc", e: clock.nowMs + 365 * DAY_MS }]) {
      const forged = `${Buffer.from(JSON.stringify(claims)).toString("base64url")}.${signature}`;
      expect(signer.verify(forged)).toEqual({ ok: false, reason: "bad_signature" });
    }
  });

  it("refuses a token whose signature was changed, or made with another key", () => {
    const token = tokenOf(signer.link(123, "vnpt-noc"));
    const [payload, signature] = token.split(".") as [string, string];
    const flipped = `${payload}.${signature[0] === "A" ? "B" : "A"}${signature.slice(1)}`;
    expect(signer.verify(flipped)).toEqual({ ok: false, reason: "bad_signature" });
    const other = signerAt(clock, Buffer.alloc(32, 8));
    expect(other.verify(token)).toEqual({ ok: false, reason: "bad_signature" });
    expect(signer.verify(tokenOf(other.link(123, "vnpt-noc")))).toEqual({ ok: false, reason: "bad_signature" });
  });

  it.each<[string, unknown]>([
    ["an empty string", ""],
    ["no dot", "abcdef"],
    ["three parts", "a.b.c"],
    ["characters outside base64url", "eyJpIjoxfQ==.abc"],
    ["a short signature", "eyJpIjoxfQ.abc"],
    ["a huge token", `${"a".repeat(5000)}.${"b".repeat(43)}`],
    ["not a string", { i: 1 }],
    ["undefined", undefined],
  ])("refuses garbage as malformed without throwing: %s", (_name, garbage) => {
    expect(signer.verify(garbage)).toEqual({ ok: false, reason: "malformed" });
  });

  it("refuses a genuine token from its expiry on", () => {
    const expiring = { nowMs: 1_000_000 };
    const shortLived = new AckLinkSigner({ key: KEY, publicUrl: "http://127.0.0.1:8080", ttlMs: 60_000, now: () => expiring.nowMs });
    const token = tokenOf(shortLived.link(5, "ward-tan-phong"));
    expiring.nowMs += 59_999;
    expect(shortLived.verify(token).ok).toBe(true);
    expiring.nowMs += 1;
    expect(shortLived.verify(token)).toEqual({ ok: false, reason: "expired" });
  });

  it("refuses a short key, a bad ttl and a bad incident id", () => {
    expect(() => new AckLinkSigner({ key: Buffer.alloc(16), publicUrl: "http://127.0.0.1", ttlMs: 1000, now: Date.now })).toThrow(/at least 32 bytes/);
    expect(() => new AckLinkSigner({ key: KEY, publicUrl: "http://127.0.0.1", ttlMs: 0, now: Date.now })).toThrow(/ttlMs/);
    expect(() => signer.link(0, "vnpt-noc")).toThrow(/positive integer/);
  });

  describe("loadOrCreateAckKey", () => {
    let dir: string;
    afterEach(() => rmSync(dir, { recursive: true, force: true }));

    it("creates a 32-byte key with mode 0600, then reuses it", () => {
      dir = mkdtempSync(join(tmpdir(), "ww-acklink-"));
      const file = join(dir, "data", "ack-link.key");
      const key = loadOrCreateAckKey(file);
      expect(key.length).toBe(32);
      expect(statSync(file).mode & 0o777).toBe(0o600);
      expect(readFileSync(file, "utf8").trim()).toBe(key.toString("hex"));
      expect(loadOrCreateAckKey(file).equals(key)).toBe(true);
      // Links survive a restart: a signer built from the reloaded key accepts the old link.
      const before = signerAt(clock, key);
      const after = signerAt(clock, loadOrCreateAckKey(file));
      expect(after.verify(tokenOf(before.link(9, "vnpt-noc"))).ok).toBe(true);
    });

    it("reads a raw 32-byte key, and refuses a file of another size without showing its content", () => {
      dir = mkdtempSync(join(tmpdir(), "ww-acklink-"));
      const raw = join(dir, "raw.key");
      writeFileSync(raw, KEY);
      expect(loadOrCreateAckKey(raw).equals(KEY)).toBe(true);
      const bad = join(dir, "bad.key");
      writeFileSync(bad, "s3cr3t-but-too-short");
      expect(() => loadOrCreateAckKey(bad)).toThrow(/must hold 32 bytes/);
      expect(() => loadOrCreateAckKey(bad)).not.toThrow(/s3cr3t/);
    });
  });
});
