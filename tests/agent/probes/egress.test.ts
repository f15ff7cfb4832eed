import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { decideEgress } from "../../../agent/probes/egress.js";
import { canUseNetns, createTestLink, destroyTestLink, type TestLink } from "../../helpers/netns.js";

const netns = await canUseNetns();
if (!netns.ok) console.warn(`skipping egress route tests: ${netns.reason}`);

describe("agent/probes/egress", () => {
  const signal = new AbortController().signal;

  it("leaves unbound probes to the routing table", async () => {
    expect(await decideEgress("127.0.0.1", { interface: null, source: null }, signal)).toEqual({ ok: true, localAddress: undefined });
  });

  it("binds to a given source address when the route leaves through its interface", async () => {
    expect(await decideEgress("127.0.0.2", { interface: null, source: "127.0.0.1" }, signal)).toEqual({ ok: true, localAddress: "127.0.0.1" });
  });

  it("refuses a source of the wrong address family", async () => {
    expect(await decideEgress("::1", { interface: null, source: "127.0.0.1" }, signal)).toMatchObject({ ok: false, reason: "source 127.0.0.1 cannot reach an IPv6 target" });
  });

  describe.skipIf(!netns.ok)("with a real link in a namespace", () => {
    let link: TestLink;
    let other: TestLink;
    beforeAll(async () => {
      link = await createTestLink({ name: "egress", subnetIndex: 55 });
      other = await createTestLink({ name: "egress-b", subnetIndex: 56 });
    });
    afterAll(async () => {
      await Promise.all([link && destroyTestLink(link), other && destroyTestLink(other)]);
    });

    it("binds a probe of the link to the link's own address", async () => {
      expect(await decideEgress(link.peerAddress, { interface: link.hostInterface, source: null }, signal)).toEqual({ ok: true, localAddress: link.hostAddress });
    });

    it("refuses a probe of another link whose route would leave through this one", async () => {
      const decision = await decideEgress(link.peerAddress, { interface: other.hostInterface, source: null }, signal);
      expect(decision).toEqual({
        ok: false,
        reason: `the route to ${link.peerAddress} from ${other.hostAddress} leaves through ${link.hostInterface}, not this link's ${other.hostInterface}`,
      });
    });
  });
});
