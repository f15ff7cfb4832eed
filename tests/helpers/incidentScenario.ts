/**
 * One commune site watched end to end, for the incident and notification e2e tests (tests/e2e/incidents.test.ts,
 * tests/e2e/incidentDelivery.test.ts): real collector and agent processes (the built CLI), a real SMTP server and
 * real webhook receivers in this process, and real links in network namespaces (netns.ts).
 *
 * The cast, the same in every scenario:
 * - site `tan-phong` ("Phường Tân Phong"): link `tslcd` (VNPT, dedicated, Mã kênh DNI-TSL-000123) bound to a veth
 *   into a test namespace; link `inet` (Viettel, internet) on a second veth, or on a loopback stand-in
 *   (`source: 127.0.0.1` → 127.0.0.31) when no subnet is given for it;
 * - receivers: `vnpt-noc` (the vendor: webhook + e-mail noc@vnpt.example, VNPT's `notify`), `ward-it-tan-phong`
 *   (the ward IT contact: e-mail cntt.tanphong@tinh.example), `province-ict` (province_receivers: webhook).
 * Webhook secrets are written to files in the scenario's temp dir and referenced as `{ file: … }`.
 * Everything listens on 127.0.0.1; probes only reach addresses inside the scenario's own namespaces or loopback.
 */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import Database from "better-sqlite3";
import type { WebhookBody } from "../../collector/alerts/channels/webhook.js";
import type { IncidentView } from "../../collector/api/incidentsRoute.js";
import { createTestLink, destroyTestLink, type TestLink } from "./netns.js";
import { runWardwatch, runWardwatchOnce, type DaemonProcess } from "./processes.js";
import { STORED_SAMPLES, agentYaml, freePort } from "./e2eSetup.js";
import { openLiveFeed, type LiveFeed } from "./liveFeed.js";
import { addProvinceApiToken } from "./alertingE2e.js";
import { startWebhookReceiver, type ReceivedWebhook, type WebhookReceiver } from "./webhookReceiver.js";
import { startSmtpServer, type CapturedMail, type TestSmtpServer } from "./smtpServer.js";

export const SITE = "tan-phong";
export const SITE_NAME = "Phường Tân Phong";
export const TSLCD_CIRCUIT = "DNI-TSL-000123";
export const VNPT_RECEIVER_NAME = "VNPT Đồng Nai — Trung tâm điều hành";
export const MAIL = { vnpt: "noc@vnpt.example", ward: "cntt.tanphong@tinh.example" } as const;
const SECRETS = { vnpt: "vnpt-incident-e2e-secret", province: "province-incident-e2e-secret" } as const;
/** The loopback address the stand-in `inet` link probes (lo answers every 127/8 address). */
const LOOPBACK_INET_TARGET = "127.0.0.31";

/** How a scenario is set up. Durations as the config files write them ("10s", "200ms"). */
export interface ScenarioOptions {
  /** Namespace name stem (netns.ts adds the pid), 1–12 characters of a-z, 0-9, '-'. */
  name: string;
  /** Test-link subnets (10.199.<n>.0/30): `tslcd` always, `inet` for a real second link (else loopback). */
  subnets: { tslcd: number; inet?: number };
  roundInterval: string;
  /** alerting.group_wait. */
  groupWait: string;
  /** alerting.retry, a YAML flow mapping; the schema's default when absent. */
  retry?: string;
  /** YAML flow mappings of `maintenance:` entries. */
  maintenance?: string[];
}

/** A running scenario; see the file comment. */
export interface IncidentScenario {
  dir: string;
  baseUrl: string;
  tslcd: TestLink;
  /** The real second link, or null when `inet` is the loopback stand-in. */
  inet: TestLink | null;
  vnptWebhook: WebhookReceiver;
  provinceWebhook: WebhookReceiver;
  smtp: TestSmtpServer;
  collector: DaemonProcess;
  agent: DaemonProcess;
  feed: LiveFeed;
  /** A province API token's header (made with `wardwatch api-token add`). */
  apiAuth: { Authorization: string };
  dbFile: string;
  /** Every captured e-mail whose envelope names `address`. */
  mailsTo(address: string): CapturedMail[];
  /** `GET /api/v1/incidents/:id`. */
  incident(id: number): Promise<IncidentView>;
  /** `GET /api/v1/incidents` (up to 1000, newest first). */
  incidents(): Promise<IncidentView[]>;
  /** The collector's `/metrics` text. */
  metrics(): Promise<string>;
  /** Distinct rounds of `link` stored with a timestamp after `afterTs` (collector time line, UTC ms). */
  roundsAfter(link: string, afterTs: number): number;
  /** Stops the processes, the servers, removes the links and the temp dir (idempotent, tolerates a half-made scenario). */
  close(): Promise<void>;
}

function collectorYaml(options: ScenarioOptions, listen: string, dataDir: string, smtpPort: number, secretFiles: { vnpt: string; province: string }, urls: { vnpt: string; province: string }): string {
  const maintenance = options.maintenance?.length ? `maintenance:\n${options.maintenance.map((m) => `  - ${m}`).join("\n")}\n` : "";
  return `listen: ${listen}
data_dir: ${JSON.stringify(dataDir)}
province: { id: dong-nai, name: "Đồng Nai", timezone: Asia/Ho_Chi_Minh }
log: { level: info }
receivers:
  - id: vnpt-noc
    name: ${JSON.stringify(VNPT_RECEIVER_NAME)}
    webhook: { url: ${JSON.stringify(urls.vnpt)}, secret: { file: ${JSON.stringify(secretFiles.vnpt)} }, timeout: 3s }
    email: { to: [${MAIL.vnpt}] }
  - { id: ward-it-tan-phong, name: "CNTT phường Tân Phong", email: { to: [${MAIL.ward}] } }
  - id: province-ict
    name: "Sở Khoa học và Công nghệ — tổ giám sát"
    webhook: { url: ${JSON.stringify(urls.province)}, secret: { file: ${JSON.stringify(secretFiles.province)} }, timeout: 3s }
smtp: { host: 127.0.0.1, port: ${smtpPort}, secure: false, from: "wardwatch <wardwatch@tinh.example>", timeout: 3s }
alerting:
  province_receivers: [province-ict]
  group_wait: ${options.groupWait}
${options.retry ? `  retry: ${options.retry}\n` : ""}${maintenance}providers:
  - { id: vnpt, name: VNPT, notify: [vnpt-noc] }
  - { id: viettel, name: Viettel }
sites:
  - id: ${SITE}
    name: ${JSON.stringify(SITE_NAME)}
    address: "UBND phường Tân Phong, Đồng Nai"
    contacts: [ward-it-tan-phong]
    links:
      - { id: tslcd, kind: dedicated, provider: vnpt, circuit: ${JSON.stringify(TSLCD_CIRCUIT)}, bandwidth_mbps: 200 }
      - { id: inet, kind: internet, provider: viettel, circuit: "VT-DNI-556677", bandwidth_mbps: 100 }
`;
}

/**
 * Starts a scenario: links, receivers, SMTP server, collector (waits until it listens), the live feed, then the
 * agent (pushing every 1 s). On a failure part way, what was made is removed before the error is rethrown.
 */
export async function startIncidentScenario(options: ScenarioOptions): Promise<IncidentScenario> {
  const dir = mkdtempSync(join(tmpdir(), `ww-${options.name}-`));
  const made: Partial<IncidentScenario> = { dir };
  const close = async (): Promise<void> => {
    made.feed?.close();
    for (const proc of [made.agent, made.collector]) {
      proc?.kill("SIGKILL");
      await proc?.exited;
    }
    for (const link of [made.tslcd, made.inet]) if (link) await destroyTestLink(link);
    await Promise.all([made.vnptWebhook?.close(), made.provinceWebhook?.close(), made.smtp?.close()]);
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    [made.vnptWebhook, made.provinceWebhook, made.smtp] = await Promise.all([
      startWebhookReceiver({ secret: SECRETS.vnpt }),
      startWebhookReceiver({ secret: SECRETS.province }),
      startSmtpServer(),
    ]);
    made.tslcd = await createTestLink({ name: `${options.name}-t`, subnetIndex: options.subnets.tslcd });
    made.inet = options.subnets.inet === undefined ? null : await createTestLink({ name: `${options.name}-i`, subnetIndex: options.subnets.inet });

    const secretFiles = { vnpt: join(dir, "vnpt-webhook.secret"), province: join(dir, "province-webhook.secret") };
    writeFileSync(secretFiles.vnpt, `${SECRETS.vnpt}\n`, { mode: 0o600 });
    writeFileSync(secretFiles.province, `${SECRETS.province}\n`, { mode: 0o600 });
    const port = await freePort();
    made.baseUrl = `http://127.0.0.1:${port}`;
    const collectorFile = join(dir, "collector.yaml");
    made.dbFile = join(dir, "data", "samples.db");
    writeFileSync(
      collectorFile,
      collectorYaml(options, `127.0.0.1:${port}`, join(dir, "data"), made.smtp.port, secretFiles, { vnpt: made.vnptWebhook.url, province: made.provinceWebhook.url }),
    );
    const tokenFile = join(dir, "agent.token");
    const token = await runWardwatchOnce(["token", "add", SITE, "--config", collectorFile]);
    if (token.code !== 0) throw new Error(`token add failed: ${token.stderr}`);
    writeFileSync(tokenFile, token.stdout, { mode: 0o600 });
    const apiAuth = await addProvinceApiToken(collectorFile);
    made.apiAuth = apiAuth;

    made.collector = runWardwatch(["collector", "--config", collectorFile]);
    await made.collector.waitForLog((l) => l.message === "collector listening");
    made.feed = await openLiveFeed(made.baseUrl, apiAuth);

    const agentFile = join(dir, "agent.yaml");
    const inetLink = made.inet
      ? { id: "inet", bind: `interface: ${made.inet.hostInterface}`, target: made.inet.peerAddress }
      : { id: "inet", bind: "source: 127.0.0.1", target: LOOPBACK_INET_TARGET };
    writeFileSync(
      agentFile,
      agentYaml({
        site: SITE,
        port,
        tokenFile,
        spoolDir: join(dir, "spool"),
        links: [{ id: "tslcd", bind: `interface: ${made.tslcd.hostInterface}`, target: made.tslcd.peerAddress }, inetLink],
        roundInterval: options.roundInterval,
        pushInterval: "1s",
        batchSize: 500,
      }),
    );
    made.agent = runWardwatch(["agent", "--config", agentFile]);
  } catch (err) {
    await close().catch(() => undefined);
    throw err;
  }

  const { baseUrl, dbFile, smtp, apiAuth } = made as Required<typeof made>;
  const getJson = async <T>(path: string): Promise<T> => {
    const response = await fetch(`${baseUrl}${path}`, { headers: apiAuth });
    if (!response.ok) throw new Error(`GET ${path} answered ${response.status}: ${await response.text()}`);
    return (await response.json()) as T;
  };
  return {
    ...(made as Required<typeof made>),
    mailsTo: (address) => smtp.messages.filter((mail) => mail.to.includes(address)),
    incident: (id) => getJson<IncidentView>(`/api/v1/incidents/${id}`),
    incidents: () => getJson<IncidentView[]>("/api/v1/incidents?limit=1000"),
    async metrics() {
      const response = await fetch(`${baseUrl}/metrics`);
      return response.text();
    },
    roundsAfter(link, afterTs) {
      const db = new Database(dbFile, { readonly: true, fileMustExist: true });
      try {
        // One link probe: a round is one sample, at the round's start.
        const row = db.prepare(`SELECT COUNT(DISTINCT ts) AS n FROM ${STORED_SAMPLES} WHERE site = ? AND link = ? AND role = 'link' AND ts > ?`).get(SITE, link, afterTs) as { n: number };
        return row.n;
      } finally {
        db.close();
      }
    },
    close,
  };
}

/** The JSON bodies of the requests a receiver got, in order; throws if one was not validly signed or not JSON. */
export function signedBodies(requests: readonly ReceivedWebhook[]): WebhookBody[] {
  return requests.map((request, i) => {
    if (!request.signatureValid) throw new Error(`webhook request ${i} did not verify: ${request.rawBody.slice(0, 200)}`);
    if (request.body === undefined) throw new Error(`webhook request ${i} is not JSON`);
    return request.body as WebhookBody;
  });
}

/** Polls `read` every 100 ms until it returns something other than undefined; rejects after `timeoutMs` naming `what`. */
export async function waitUntil<T>(read: () => T | undefined | Promise<T | undefined>, timeoutMs: number, what: string): Promise<T> {
  const giveUpAt = Date.now() + timeoutMs;
  for (;;) {
    const value = await read();
    if (value !== undefined) return value;
    if (Date.now() > giveUpAt) throw new Error(`${what}: not within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** The value of the `/metrics` sample `name` whose labels are exactly `labels`; 0 when the series is absent. */
export function metricValue(metricsText: string, name: string, labels: Record<string, string>): number {
  const wanted = JSON.stringify(Object.entries(labels).sort());
  for (const line of metricsText.split("\n")) {
    const match = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
    if (!match || match[1] !== name) continue;
    const found = [...(match[2] ?? "").matchAll(/([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g)].map((m) => [m[1]!, m[2]!]);
    if (JSON.stringify(found.sort()) === wanted) return Number(match[3]);
  }
  return 0;
}

/** `utcMs` as "dd/mm/yyyy HH:mm (UTC+7)", computed without Intl (Việt Nam keeps UTC+7 all year). */
export function vietnamTime(utcMs: number): string {
  const local = new Date(utcMs + 7 * 3_600_000);
  const two = (n: number) => String(n).padStart(2, "0");
  return `${two(local.getUTCDate())}/${two(local.getUTCMonth() + 1)}/${local.getUTCFullYear()} ${two(local.getUTCHours())}:${two(local.getUTCMinutes())} (UTC+7)`;
}
