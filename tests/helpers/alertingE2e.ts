/**
 * Pieces the end-to-end alerting tests share (tests/e2e/providerOutage.test.ts, tests/e2e/silentSite.test.ts): a
 * collector file with receivers and providers that notify them, site tokens made with the real CLI, the webhook
 * bodies a real receiver got, the incident API, and a bounded poll. Everything listens on 127.0.0.1 or on addresses
 * inside the test's own namespaces.
 */
import { writeFileSync } from "node:fs";
import type { WebhookBody } from "../../collector/alerts/channels/webhook.js";
import type { IncidentView } from "../../collector/api/incidentsRoute.js";
import { runWardwatchOnce } from "./processes.js";
import type { WebhookReceiver } from "./webhookReceiver.js";

/** A receiver for {@link alertingCollectorYaml}: a webhook (secret from env `secretEnv`) and/or e-mail addresses. */
export interface E2eReceiverSpec {
  id: string;
  name: string;
  webhook?: { url: string; secretEnv: string };
  email?: string[];
}

/** A site for {@link alertingCollectorYaml}: links `tslcd` (VNPT, dedicated) and `inet` (Viettel, internet). */
export interface E2eSiteSpec {
  id: string;
  name: string;
  contacts: string[];
}

/** What {@link alertingCollectorYaml} writes. `alerting`: the YAML flow mapping of the `alerting:` key. */
export interface E2eCollectorSpec {
  listen: string;
  dataDir: string;
  receivers: E2eReceiverSpec[];
  /** Receivers told about VNPT's and Viettel's circuits. */
  notify: { vnpt: string[]; viettel: string[] };
  smtpPort?: number;
  alerting: string;
  sites: E2eSiteSpec[];
  /** Extra top-level YAML (e.g. `silent_after_pushes: 3`). */
  extra?: string;
}

/** A collector file: providers vnpt and viettel, each site with tslcd (vnpt) and inet (viettel), log level info. */
export function alertingCollectorYaml(spec: E2eCollectorSpec): string {
  const receiver = (r: E2eReceiverSpec): string => {
    const parts = [`id: ${r.id}`, `name: ${JSON.stringify(r.name)}`];
    if (r.webhook) parts.push(`webhook: { url: ${JSON.stringify(r.webhook.url)}, secret: { env: ${r.webhook.secretEnv} }, timeout: 3s }`);
    if (r.email) parts.push(`email: { to: [${r.email.join(", ")}] }`);
    return `  - { ${parts.join(", ")} }`;
  };
  const site = (s: E2eSiteSpec): string => `  - id: ${s.id}
    name: ${JSON.stringify(s.name)}
    contacts: [${s.contacts.join(", ")}]
    links:
      - { id: tslcd, kind: dedicated, provider: vnpt, circuit: "TSL-${s.id}", bandwidth_mbps: 200 }
      - { id: inet, kind: internet, provider: viettel, circuit: "VT-${s.id}", bandwidth_mbps: 100 }`;
  return `listen: ${spec.listen}
data_dir: ${JSON.stringify(spec.dataDir)}
province: { id: test, name: "Tỉnh Thử", timezone: Asia/Ho_Chi_Minh }
log: { level: info }
${spec.extra ?? ""}
receivers:
${spec.receivers.map(receiver).join("\n")}
${spec.smtpPort ? `smtp: { host: 127.0.0.1, port: ${spec.smtpPort}, secure: false, from: "wardwatch@tinh.example", timeout: 3s }` : ""}
alerting: ${spec.alerting}
providers:
  - { id: vnpt, name: VNPT, notify: [${spec.notify.vnpt.join(", ")}] }
  - { id: viettel, name: Viettel, notify: [${spec.notify.viettel.join(", ")}] }
sites:
${spec.sites.map(site).join("\n")}
`;
}

/** Creates the site's token with the real `wardwatch token add` and writes it to `tokenFile` (mode 0600). */
export async function addSiteToken(collectorFile: string, site: string, tokenFile: string): Promise<void> {
  const token = await runWardwatchOnce(["token", "add", site, "--config", collectorFile]);
  if (token.code !== 0) throw new Error(`token add ${site} failed: ${token.stderr}`);
  writeFileSync(tokenFile, token.stdout, { mode: 0o600 });
}

/** The bodies of every request the receiver got, in arrival order; throws if one was not validly signed or not JSON. */
export function webhookBodies(receiver: WebhookReceiver): WebhookBody[] {
  return receiver.requests.map((request, i) => {
    if (!request.signatureValid) throw new Error(`webhook request ${i} to ${receiver.url} did not verify: ${request.rawBody.slice(0, 200)}`);
    if (request.body === undefined) throw new Error(`webhook request ${i} to ${receiver.url} is not JSON`);
    return request.body as WebhookBody;
  });
}

/** Creates a province API token with the real `wardwatch api-token add` and returns its Authorization header. */
export async function addProvinceApiToken(collectorFile: string): Promise<{ Authorization: string }> {
  const made = await runWardwatchOnce(["api-token", "add", "e2e", "--role", "province", "--config", collectorFile]);
  if (made.code !== 0) throw new Error(`api-token add failed: ${made.stderr}`);
  return { Authorization: `Bearer ${made.stdout.trim()}` };
}

/** `GET /api/v1/incidents?<query>` of the collector at `baseUrl`, with `auth` (a province API token's header). */
export async function listIncidents(baseUrl: string, auth: { Authorization: string }, query: Record<string, string> = {}): Promise<IncidentView[]> {
  const response = await fetch(`${baseUrl}/api/v1/incidents?${new URLSearchParams({ limit: "1000", ...query })}`, { headers: auth });
  if (!response.ok) throw new Error(`GET /api/v1/incidents answered ${response.status}: ${await response.text()}`);
  return (await response.json()) as IncidentView[];
}

/** Polls `read` every 100 ms until it returns something other than undefined; rejects after `timeoutMs` naming `what`. */
export async function waitFor<T>(read: () => T | undefined | Promise<T | undefined>, timeoutMs: number, what: string): Promise<T> {
  const giveUpAt = Date.now() + timeoutMs;
  for (;;) {
    const value = await read();
    if (value !== undefined) return value;
    if (Date.now() > giveUpAt) throw new Error(`${what}: not within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** Waits `ms` (used only to let a quiet period pass before asserting nothing more happened in it). */
export function quietFor(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
