import { execFile } from "node:child_process";
import { promisify } from "node:util";
import { afterAll, describe, expect, it } from "vitest";
import { canUseNetns, createTestLink, deleteIfPresent, destroyTestLink, execInNamespace, isAlreadyGone, type TestLink } from "./netns.js";

const run = promisify(execFile);

// This file's subnets: 10.199.42.0/30 and 10.199.43.0/30 (other test files use other indexes).
const SUBNET_ROUND_TRIP = 42;
const SUBNET_IN_USE = 43;
/** A subnet on which a "killed" run's interface is left behind. */
const SUBNET_LEFT_BEHIND = 45;

const netns = await canUseNetns();
if (!netns.ok) console.warn(`tests/helpers/netns: skipping, ${netns.reason}`);

/** One ping bound to the link's host end, so it can only ever go over the veth. */
async function pingsOverLink(link: TestLink): Promise<boolean> {
  try {
    await run("ping", ["-n", "-q", "-c", "1", "-W", "0.3", "-I", link.hostInterface, link.peerAddress], { env: { ...process.env, LC_ALL: "C" } });
    return true;
  } catch {
    return false;
  }
}

async function namespaces(): Promise<string[]> {
  const { stdout } = await run("ip", ["netns", "list"]);
  return stdout.split("\n").map((line) => line.split(" ")[0]!).filter((name) => name !== "");
}

async function interfaceExists(name: string): Promise<boolean> {
  return run("ip", ["link", "show", name]).then(
    () => true,
    () => false,
  );
}

describe("tests/helpers/netns isAlreadyGone", () => {
  it("takes every way ip says the target is gone as gone, and nothing else", () => {
    // What ip printed in a teardown race: the root veth end vanished with its namespace while being deleted.
    expect(isAlreadyGone("RTNETLINK answers: No such device")).toBe(true);
    expect(isAlreadyGone('Cannot find device "ww81r123"')).toBe(true);
    expect(isAlreadyGone('Cannot remove namespace file "/run/netns/ww-site-123": No such file or directory')).toBe(true);
    expect(isAlreadyGone("RTNETLINK answers: Operation not supported")).toBe(false);
    expect(isAlreadyGone("RTNETLINK answers: Operation not permitted")).toBe(false);
  });
});

describe.skipIf(!netns.ok)("tests/helpers/netns", () => {
  const created: TestLink[] = [];
  afterAll(async () => {
    for (const link of created) await destroyTestLink(link);
  });

  it("canUseNetns says yes as root", async () => {
    expect(await canUseNetns()).toEqual({ ok: true });
  });

  it("creates, takes down, brings up and destroys a link, leaving nothing behind", async () => {
    const link = await createTestLink({ name: "helper", subnetIndex: SUBNET_ROUND_TRIP });
    created.push(link);

    expect(link).toMatchObject({ hostAddress: "10.199.42.1", peerAddress: "10.199.42.2" });
    expect(link.namespace).toContain(String(process.pid));
    expect(link.hostInterface.length).toBeLessThanOrEqual(15);
    expect(await namespaces()).toContain(link.namespace);
    const hostAddresses = (await run("ip", ["-o", "-4", "addr", "show", "dev", link.hostInterface])).stdout;
    expect(hostAddresses).toContain("10.199.42.1/30");
    const inside = (await execInNamespace(link.namespace, ["ip", "-o", "-4", "addr", "show"])).stdout;
    expect(inside).toContain(`${link.peerInterface}`);
    expect(inside).toContain("10.199.42.2/30");
    expect(inside).toContain("127.0.0.1/8"); // lo is up inside the namespace
    expect(await pingsOverLink(link)).toBe(true);

    await link.down();
    expect(await pingsOverLink(link)).toBe(false);

    await link.up(); // resolves only once the peer answers again
    expect(await pingsOverLink(link)).toBe(true);

    await destroyTestLink(link);
    expect(await namespaces()).not.toContain(link.namespace);
    expect(await interfaceExists(link.hostInterface)).toBe(false);
    const leftover = (await run("ip", ["-o", "-4", "addr", "show", "to", "10.199.42.0/30"])).stdout;
    expect(leftover).toBe("");
  });

  it("destroy is idempotent", async () => {
    const link = await createTestLink({ name: "helper-twice", subnetIndex: SUBNET_ROUND_TRIP });
    created.push(link);
    await destroyTestLink(link);
    await expect(destroyTestLink(link)).resolves.toBeUndefined();
    expect(await namespaces()).not.toContain(link.namespace);
  });

  it("destroys a link whose namespace, and with it the veth, is already gone", async () => {
    const link = await createTestLink({ name: "helper-vanished", subnetIndex: SUBNET_ROUND_TRIP });
    created.push(link);
    await run("ip", ["netns", "del", link.namespace]);
    await expect(destroyTestLink(link)).resolves.toBeUndefined();
    expect(await namespaces()).not.toContain(link.namespace);
    expect(await interfaceExists(link.hostInterface)).toBe(false);
  });

  it("deleteIfPresent still reports a deletion that fails for another reason", async () => {
    const link = await createTestLink({ name: "helper-refused", subnetIndex: SUBNET_ROUND_TRIP });
    created.push(link);
    // The kernel refuses to delete a namespace's loopback ("Operation not supported"): not "already gone".
    const failures = await deleteIfPresent([["-n", link.namespace, "link", "del", "lo"], ["link", "del", "wwnosuch0"]]);
    expect(failures).toEqual([expect.stringMatching(/^ip -n ww-helper-refused-\d+ link del lo: .*not supported/i)]);
    await destroyTestLink(link);
  });

  it("execInNamespace runs inside the namespace and rejects on a failing command", async () => {
    const link = await createTestLink({ name: "helper-exec", subnetIndex: SUBNET_ROUND_TRIP });
    created.push(link);
    const { stdout } = await execInNamespace(link.namespace, ["ip", "-o", "link", "show"]);
    expect(stdout).toContain(link.peerInterface);
    expect(stdout).not.toContain(link.hostInterface);
    await expect(execInNamespace(link.namespace, ["ip", "link", "show", "wwnosuch0"])).rejects.toThrow(/wwnosuch0/);
    await destroyTestLink(link);
  });

  it("refuses a subnet already in use and leaves nothing of the refused link", async () => {
    const first = await createTestLink({ name: "helper-first", subnetIndex: SUBNET_IN_USE });
    created.push(first);
    await expect(createTestLink({ name: "helper-second", subnetIndex: SUBNET_IN_USE })).rejects.toThrow(/already in use/);
    expect((await namespaces()).filter((name) => name.startsWith("ww-helper-second-"))).toEqual([]);
    expect(await pingsOverLink(first)).toBe(true);
    await destroyTestLink(first);
  });

  it("rejects a bad name or subnet index before touching anything", async () => {
    await expect(createTestLink({ name: "Bad Name", subnetIndex: 44 })).rejects.toThrow(/bad name/);
    await expect(createTestLink({ name: "helper", subnetIndex: 256 })).rejects.toThrow(/subnetIndex/);
  });

  it("clears what a killed test process left on a subnet (its pid gone) before taking it", async () => {
    const exited = execFile(process.execPath, ["-e", ""]);
    const deadPid = exited.pid!;
    await new Promise((resolve) => exited.once("exit", resolve));
    const stale = `ww${SUBNET_LEFT_BEHIND}h${deadPid}`;
    await run("ip", ["link", "add", stale, "type", "veth", "peer", "name", `ww${SUBNET_LEFT_BEHIND}p${deadPid}`]);
    await run("ip", ["addr", "add", `10.199.${SUBNET_LEFT_BEHIND}.1/30`, "dev", stale]);
    const link = await createTestLink({ name: "helper-after", subnetIndex: SUBNET_LEFT_BEHIND });
    created.push(link);
    expect(await pingsOverLink(link)).toBe(true);
    const { stdout } = await run("ip", ["-o", "link", "show"]);
    expect(stdout).not.toContain(stale);
    await destroyTestLink(link);
  });
});
