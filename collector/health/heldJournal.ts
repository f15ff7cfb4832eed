import { closeSync, fsyncSync, mkdirSync, openSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { dirname } from "node:path";
import { z } from "zod";
import type { Logger } from "../../config/logger.js";
import type { StoredIncident } from "../incidents/incidentStore.js";

/** The journal's file name in `data_dir`. */
export const HELD_JOURNAL_FILE = "held-incidents.json";

const attemptSchema = z.strictObject({
  receiver: z.string(),
  channel: z.enum(["webhook", "email"]),
  message: z.enum(["report", "recovery", "repeat", "escalation", "update"]),
  attempt: z.number().int().positive(),
  ts: z.number(),
  ok: z.boolean(),
  detail: z.string(),
  retryable: z.boolean(),
});

const nullableTs = z.number().nullable();

const incidentSchema: z.ZodType<StoredIncident> = z.strictObject({
  id: z.number().int().positive(),
  number: z.string(),
  key: z.string(),
  kind: z.enum(["link", "site", "provider", "collector"]),
  cause: z.enum(["link_down", "link_degraded", "all_links_down", "agent_silent", "links_down_while_silent", "power_or_agent", "provider_outage", "store_unreachable"]),
  severity: z.enum(["critical", "major", "minor"]),
  state: z.enum(["open", "closed"]),
  provider: z.string().nullable(),
  providerName: z.string().nullable(),
  link: z.string().nullable(),
  linkKind: z.enum(["dedicated", "internet"]).nullable(),
  circuit: z.string().nullable(),
  sites: z.array(z.strictObject({ site: z.string(), siteName: z.string(), links: z.array(z.string()) })),
  summary: z.string(),
  timeline: z.strictObject({ startTs: z.number(), detectedTs: z.number(), notifiedTs: nullableTs, acknowledgedTs: nullableTs, restoredTs: nullableTs, endTs: nullableTs }),
  vendorTicket: z.string().nullable(),
  acknowledgedBy: z.string().nullable(),
  evidence: z.array(z.string()),
  deliveries: z.array(attemptSchema),
  mergedInto: z.number().int().nullable(),
  scopeChangedTs: nullableTs,
});

const journalSchema = z.strictObject({ version: z.literal(1), incidents: z.array(incidentSchema) });

/** Where held incidents are kept across a restart (see {@link HeldIncidentJournal}). */
export interface HeldJournal {
  /** The incidents journaled by the last run (none when there is no journal, or it cannot be read: logged). */
  load(): StoredIncident[];
  /** Replaces the journal with `incidents` (removes it when there are none). Never throws. */
  save(incidents: readonly StoredIncident[]): void;
}

/**
 * The incidents held in memory (heldIncidents.ts), with their delivery attempts, in one small JSON file in
 * `data_dir`, so that a collector restarted during a store outage still knows its held incident: its number (the
 * store's next id), what was sent for it and to whom. Written after every change, atomically (a temporary file,
 * fsync, rename over the journal, fsync of the directory): after a crash the journal is the old one or the new one.
 *
 * The journal is a safeguard, not the store: when it cannot be written (the disk is full — often the very reason the
 * store fails), the held incidents live in memory only, as they would without it. That is logged once, and again only
 * after a write has succeeded in between.
 */
export class HeldIncidentJournal implements HeldJournal {
  #failing = false;

  constructor(
    /** The journal's path, e.g. `<data_dir>/held-incidents.json`. */
    readonly file: string,
    private readonly logger: Logger,
  ) {}

  load(): StoredIncident[] {
    let text: string;
    try {
      text = readFileSync(this.file, "utf8");
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== "ENOENT") this.logger.error("held incident journal unreadable; ignored", { file: this.file, err });
      return [];
    }
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch (err) {
      this.logger.error("held incident journal is not JSON; ignored", { file: this.file, err });
      return [];
    }
    const parsed = journalSchema.safeParse(json);
    if (!parsed.success) {
      const problem = parsed.error.issues[0];
      this.logger.error("held incident journal malformed; ignored", { file: this.file, problem: `${problem?.path.join(".") ?? ""}: ${problem?.message ?? ""}` });
      return [];
    }
    return parsed.data.incidents;
  }

  save(incidents: readonly StoredIncident[]): void {
    try {
      if (incidents.length === 0) rmSync(this.file, { force: true });
      else writeAtomically(this.file, `${JSON.stringify({ version: 1, incidents })}\n`);
      syncDirectory(dirname(this.file));
      this.#failing = false;
    } catch (err) {
      if (!this.#failing) this.logger.error("held incident journal not written: held incidents are kept in memory only", { file: this.file, err });
      this.#failing = true;
    }
  }
}

function writeAtomically(file: string, content: string): void {
  mkdirSync(dirname(file), { recursive: true, mode: 0o700 });
  const temp = `${file}.${process.pid}.tmp`;
  // A temp file left by a crash is removed, not reused: "wx" never follows a link or keeps an old mode.
  rmSync(temp, { force: true });
  const fd = openSync(temp, "wx", 0o600);
  try {
    // writeFileSync on a descriptor writes until every byte is out (a short write on a nearly full disk throws), so a
    // cut-off journal never replaces a whole one.
    writeFileSync(fd, content);
    fsyncSync(fd);
  } catch (err) {
    closeSync(fd);
    rmSync(temp, { force: true });
    throw err;
  }
  closeSync(fd);
  renameSync(temp, file);
}

/** Makes a rename or removal in `dir` durable. */
function syncDirectory(dir: string): void {
  let fd: number;
  try {
    fd = openSync(dir, "r");
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "ENOENT") return; // nothing was ever written there
    throw err;
  }
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}
