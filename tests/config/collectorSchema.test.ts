import { describe, expect, it } from "vitest";
import { ConfigError, parseYamlText } from "../../config/loader.js";
import { closestTimeZone } from "../../config/timeZone.js";
import { collectorFileSchema } from "../../collector/config.js";

/** A small valid collector file with `extra` top-level keys and the province's `timezone`. */
function collectorText(extra: string, timezone = "Asia/Ho_Chi_Minh"): string {
  return [
    `province: { id: p, name: P, timezone: "${timezone}" }`,
    "providers:",
    "  - { id: vnpt, name: VNPT }",
    "sites:",
    "  - { id: a, name: A, links: [{ id: tslcd, kind: dedicated, provider: vnpt, circuit: C-1, bandwidth_mbps: 100 }] }",
    extra,
  ].join("\n");
}

const load = (text: string) => parseYamlText(text, "collector.yaml", collectorFileSchema);

function messagesOf(text: string): string[] {
  try {
    load(text);
  } catch (err) {
    if (err instanceof ConfigError) return err.problems.map((p) => `${p.key}: ${p.message}`);
    throw err;
  }
  return [];
}

describe("config/collectorSchema", () => {
  it.each(["UTC", "Etc/GMT-7", "Asia/Saigon", "Asia/Ho_Chi_Minh", "Asia/Bangkok"])("accepts the time zone %s", (zone) => {
    expect(load(collectorText("", zone)).province.timezone).toBe(zone);
  });

  it.each(["Asia/Hanoi", "Asia/Ha_Noi", "Hà Nội", "UTC+7", "GMT+7", "UTC+07:00", "+07:00", "ICT", "Asia/Sai_Gon", "Asia/HoChiMinh", "Ho Chi Minh City", "saigon"])(
    "suggests Asia/Ho_Chi_Minh for %s",
    (zone) => {
      expect(closestTimeZone(zone)).toBe("Asia/Ho_Chi_Minh");
      expect(messagesOf(collectorText("", zone))).toEqual([`province.timezone: unknown time zone '${zone}' (did you mean Asia/Ho_Chi_Minh?)`]);
    },
  );

  it("still suggests by edit distance for other typos", () => {
    expect(closestTimeZone("Europe/Pariss")).toBe("Europe/Paris");
  });

  it("refuses a very long zone without echoing it", () => {
    const [message] = messagesOf(collectorText("", "A".repeat(5000)));
    expect(message).toBe("province.timezone: not a time zone (5000 characters; IANA names such as Asia/Ho_Chi_Minh are at most 64)");
  });

  it.each([
    ["00:00", "23:59"],
    ["00:00", "24:00"],
    ["07:30", "17:00"],
    ["09:00", "17:00"],
  ])("accepts office hours %s–%s", (start, end) => {
    expect(load(collectorText(`office_hours: { start: "${start}", end: "${end}" }`)).office_hours).toMatchObject({ start, end });
  });

  it.each([
    ["7:30", "17:00", ["office_hours.start: must be HH:mm, 00:00 to 23:59 (e.g. 07:30)"]],
    ["24:00", "24:00", ["office_hours.start: must be HH:mm, 00:00 to 23:59 (e.g. 07:30)"]],
    ["08:00", "24:01", ["office_hours.end: must be HH:mm, 00:00 to 24:00 (e.g. 17:00)"]],
    ["17:00", "09:00", ["office_hours.end: end (09:00) must be after start (17:00); office hours cannot run past midnight"]],
    ["09:00", "09:00", ["office_hours.end: end (09:00) must be after start (09:00); office hours cannot run past midnight"]],
  ])("refuses office hours %s–%s with one message per problem", (start, end, expected) => {
    expect(messagesOf(collectorText(`office_hours: { start: "${start}", end: "${end}" }`))).toEqual(expected);
  });

  it("accepts max_delay equal to first_delay", () => {
    expect(load(collectorText("alerting: { retry: { first_delay: 5s, max_delay: 5s } }")).alerting.retry).toMatchObject({ first_delay: 5000, max_delay: 5000 });
  });
});
