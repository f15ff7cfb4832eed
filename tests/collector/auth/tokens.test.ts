import { describe, expect, it } from "vitest";
import { MAX_TOKEN_LENGTH, generateToken, hashToken, parseBearer, tokensEqual } from "../../../collector/auth/tokens.js";

describe("collector/auth/tokens", () => {
  describe("generateToken", () => {
    it("is ww_ plus 43 base64url characters", () => {
      expect(generateToken("ward-1")).toMatch(/^ww_[A-Za-z0-9_-]{43}$/);
    });

    it("is random and does not embed the site", () => {
      const tokens = new Set(Array.from({ length: 100 }, () => generateToken("phuong-ben-nghe")));
      expect(tokens.size).toBe(100);
      for (const token of tokens) expect(token).not.toContain("phuong");
    });

    it("survives parseBearer", () => {
      const token = generateToken("ward-1");
      expect(parseBearer(`Bearer ${token}`)).toBe(token);
    });
  });

  describe("hashToken", () => {
    it("is stable SHA-256 hex and not the token", () => {
      const token = generateToken("ward-1");
      const hash = hashToken(token);
      expect(hash).toMatch(/^[0-9a-f]{64}$/);
      expect(hashToken(token)).toBe(hash);
      expect(hash).not.toContain(token);
      expect(hashToken(generateToken("ward-1"))).not.toBe(hash);
    });

    it("matches the known SHA-256 digest", () => {
      expect(hashToken("abc")).toBe("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    });
  });

  describe("parseBearer", () => {
    const token = "ww_AbC-123_xyz";

    it("extracts the token, whatever the scheme's case", () => {
      expect(parseBearer(`Bearer ${token}`)).toBe(token);
      expect(parseBearer(`bearer ${token}`)).toBe(token);
      expect(parseBearer(`BEARER ${token}`)).toBe(token);
      expect(parseBearer(`  Bearer   ${token}  `)).toBe(token);
    });

    it.each([
      ["missing", undefined],
      ["empty header", ""],
      ["scheme only", "Bearer"],
      ["empty token", "Bearer "],
      ["wrong scheme", `Basic ${token}`],
      ["no scheme", token],
      ["no space", `Bearer${token}`],
      ["two tokens", `Bearer ${token} ${token}`],
      ["padding", `Bearer ${token}=`],
      ["base64 '+'", "Bearer ww_a+b"],
      ["base64 '/'", "Bearer ww_a/b"],
      ["dot", "Bearer ww_a.b"],
      ["non-ASCII", "Bearer ww_đường"],
      ["newline", `Bearer ${token}\nX-Other: 1`],
      ["too long", `Bearer ${"a".repeat(MAX_TOKEN_LENGTH + 1)}`],
    ])("returns null for %s", (_name, header) => {
      expect(parseBearer(header)).toBeNull();
    });

    it("accepts a token of exactly the maximum length", () => {
      expect(parseBearer(`Bearer ${"a".repeat(MAX_TOKEN_LENGTH)}`)).toBe("a".repeat(MAX_TOKEN_LENGTH));
    });
  });

  describe("tokensEqual", () => {
    it("compares without throwing on different lengths", () => {
      expect(tokensEqual("ww_abc", "ww_abc")).toBe(true);
      expect(tokensEqual("ww_abc", "ww_abd")).toBe(false);
      expect(tokensEqual("ww_abc", "ww_abcdef")).toBe(false);
      expect(tokensEqual("", "")).toBe(true);
    });
  });
});
