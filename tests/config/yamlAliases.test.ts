import { describe, expect, it } from "vitest";
import { LineCounter, parseDocument } from "yaml";
import { parseYamlText } from "../../config/loader.js";
import { aliasProblems, MAX_YAML_EXPANDED_VALUES } from "../../config/yamlAliases.js";
import { collectorFileSchema } from "../../collector/config.js";
import { agentFileSchema } from "../../agent/config.js";

/** A collector file of `count` sites, each after the first reusing its `&ict` contacts and `&links` (nested anchors). */
function provinceWithSharedAnchors(count: number): string {
  const links = "&links [{ id: tslcd, kind: dedicated, provider: vnpt, circuit: &circuit C-1, bandwidth_mbps: 100 }, { id: inet, kind: internet, provider: vnpt, circuit: *circuit, bandwidth_mbps: 100 }]";
  return [
    "province: { id: p, name: P }",
    "receivers:",
    "  - { id: ict, name: ICT, webhook: { url: \"https://ict.tinh.example/hook\", secret: { env: ICT_SECRET } } }",
    "providers:",
    "  - { id: vnpt, name: VNPT }",
    "sites:",
    `  - { id: s0, name: "Xã 0", contacts: &ict [ict], links: ${links} }`,
    ...Array.from({ length: count - 1 }, (_, i) => `  - { id: s${i + 1}, name: "Xã ${i + 1}", contacts: *ict, links: *links }`),
  ].join("\n");
}

describe("config/yamlAliases", () => {
  it("accepts 3,400 uses of one anchor (a country of sites sharing contacts and a link list)", () => {
    const file = parseYamlText(provinceWithSharedAnchors(3401), "collector.yaml", collectorFileSchema);
    expect(file.sites).toHaveLength(3401);
    expect(file.sites[3400]).toMatchObject({ id: "s3400", contacts: ["ict"], links: [{ id: "tslcd", circuit: "C-1" }, { id: "inet", circuit: "C-1" }] });
  });

  it("loads a file whose aliases are nested and used far beyond 100 times", () => {
    const probes = Array.from({ length: 30 }, () => "*probe").join(", ");
    const text = [
      "site: a",
      'collector: { urls: ["http://127.0.0.1:8080"], token_file: &token ./token }',
      "links:",
      `  - { id: l1, probes: [&probe { kind: icmp, target: &gw 192.0.2.1 }, ${probes.slice(0, -8)}] }`,
      ...Array.from({ length: 15 }, (_, i) => `  - { id: l${i + 2}, probes: [${probes.slice(0, -8)}, { kind: icmp, target: *gw }] }`),
    ].join("\n");
    const config = parseYamlText(text, "agent.yaml", agentFileSchema);
    expect(config.links).toHaveLength(16);
    expect(config.links.flatMap((l) => l.probes.map((p) => p.target))).toEqual(Array(16 * 30).fill("192.0.2.1"));
  });

  it("accepts 100 and 1,000 uses of one scalar anchor", () => {
    for (const uses of [100, 1000]) {
      const doc = parseDocument(`t: &t x\nuses: [${Array(uses).fill("*t").join(", ")}]\n`);
      expect(aliasProblems(doc), String(uses)).toEqual([]);
      expect((doc.toJS({ maxAliasCount: -1 }) as { uses: string[] }).uses).toHaveLength(uses);
    }
  });

  it("refuses a billion laughs at the alias where the expansion passes the bound", () => {
    const lines = ['a: &a ["x", "x", "x", "x", "x", "x", "x", "x", "x"]'];
    for (const [name, prev] of [["b", "a"], ["c", "b"], ["d", "c"], ["e", "d"], ["f", "e"], ["g", "f"], ["h", "g"], ["i", "h"]]) {
      lines.push(`${name}: &${name} [${Array(9).fill(`*${prev}`).join(", ")}]`);
    }
    const lineCounter = new LineCounter();
    const doc = parseDocument(lines.join("\n"), { lineCounter });
    const [problem, ...more] = aliasProblems(doc);
    expect(more).toEqual([]);
    expect(problem!.message).toBe(`YAML: aliases expand this file to more than 1,000,000 values (at '*f'); a configuration never needs that many (a YAML alias bomb?)`);
    // a … f stand for 10 + 91 + 820 + 7,381 + 66,430 + 597,871 values: the first *f in g passes 1,000,000.
    expect(lineCounter.linePos(problem!.offset!)).toEqual({ line: 7, col: 8 });
    expect(MAX_YAML_EXPANDED_VALUES).toBe(1_000_000);
  });

  it("bounds the expanded size exactly", () => {
    // Root map 1, key 1, anchored seq 1 + 3, key 1, seq 1 + 2 aliases of 4 each = 16 values.
    const doc = parseDocument("a: &a [1, 2, 3]\nb: [*a, *a]\n");
    expect(aliasProblems(doc, 16)).toEqual([]);
    expect(aliasProblems(doc, 15)).toMatchObject([{ offset: "a: &a [1, 2, 3]\nb: [*a, ".length }]);
  });

  it("refuses an alias inside its own anchor's value, and every unresolved alias", () => {
    expect(aliasProblems(parseDocument("a: &a [1, *a]\n"))).toEqual([{ offset: 10, message: "YAML: alias '*a' is inside the value its anchor '&a' names (a cycle); write the value out" }]);
    expect(aliasProblems(parseDocument("a: *x\nb: *y\nc: &x 1\n")).map((p) => p.message)).toEqual([
      "YAML: unresolved alias '*x' (no anchor '&x' before it)",
      "YAML: unresolved alias '*y' (no anchor '&y' before it)",
    ]);
  });
});
