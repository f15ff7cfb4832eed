import { describe, expect, it } from "vitest";
import { ConfigError, parseYamlText } from "../../config/loader.js";
import { MAX_PROBE_ID_CHARS, MAX_TARGET_CHARS } from "../../config/probeIds.js";
import { agentFileSchema } from "../../agent/config.js";

/** An agent file whose link probes `linkUrl` and whose application probes `appUrl` (both HTTP). */
function agentText(linkUrl: string, appUrl: string): string {
  return [
    "site: a",
    'collector: { urls: ["http://127.0.0.1:8080"], token_file: ./token }',
    "links:",
    `  - { id: tslcd, probes: [{ kind: icmp, target: 192.0.2.1 }, { kind: http, url: "${linkUrl}" }] }`,
    "apps:",
    `  - { id: mot-cua, name: "Một cửa", probe: { kind: http, url: "${appUrl}" } }`,
  ].join("\n");
}

/** An https URL of exactly `chars` characters. */
const urlOf = (chars: number): string => `https://a.example/${"p".repeat(chars - "https://a.example/".length)}`;

function messagesOf(text: string): string[] {
  try {
    parseYamlText(text, "agent.yaml", agentFileSchema);
  } catch (err) {
    if (err instanceof ConfigError) return err.problems.map((p) => `${p.key}: ${p.message}`);
    throw err;
  }
  return [];
}

describe("config/agentSchema", () => {
  it("takes its limits from the protocol's sample envelope", () => {
    expect([MAX_PROBE_ID_CHARS, MAX_TARGET_CHARS]).toEqual([128, 2048]);
  });

  it("accepts a link probe id of exactly 128 characters and an application URL of 2048", () => {
    const linkUrl = urlOf(MAX_PROBE_ID_CHARS - "http:".length);
    expect(`http:${linkUrl}`).toHaveLength(128);
    expect(messagesOf(agentText(linkUrl, urlOf(2048)))).toEqual([]);
  });

  it("refuses one character more of each, naming the probe", () => {
    expect(messagesOf(agentText(urlOf(124), urlOf(2049)))).toEqual([
      // The HTTP probe's own schema bounds its URL first; the envelope's bound stands behind it for every kind.
      expect.stringMatching(/^apps\[0\]\.probe(\.url)?: .*2048/),
      expect.stringMatching(/^links\[0\]\.probes\[1\]: its probe id 'http:https:\/\/a\.example\/p+…' \(kind:target\) is 129 characters; the protocol allows 128/),
    ]);
  });
});
