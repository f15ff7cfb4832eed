import cron, { type ScheduledTask } from "node-cron";
import type { Logger } from "../../config/logger.js";
import type { SlaReport, SlaScope } from "../../protocol/sla.js";
import type { OtherMail } from "../alerts/channels/email.js";
import type { DeliveryResult, ReceiverConfig } from "../alerts/notification.js";
import { previousMonth, type LocalCalendar } from "./localCalendar.js";
import { slaReportCsv } from "./slaCsv.js";
import { renderSlaReport } from "./slaHtml.js";

/** Who gets which part of the report: the province's receivers the whole of it, each vendor's receivers its part. */
export interface SlaAudience {
  province: readonly ReceiverConfig[];
  providers: ReadonlyArray<{ id: string; name: string; receivers: readonly ReceiverConfig[] }>;
}

/** What the mailer works from. */
export interface SlaMailerDeps {
  report(month: string, scope: SlaScope): Promise<SlaReport>;
  /** The SMTP channel's send (EmailChannel.sendMail): never throws, classifies a failure. */
  send(mail: OtherMail): Promise<DeliveryResult>;
  audience: SlaAudience;
  provinceName: string;
  calendar: LocalCalendar;
  now: () => number;
  logger: Logger;
}

/** One message sent (or not): to which receiver, which part, and what the server said. */
export interface SlaMailOutcome {
  receiver: string;
  scope: SlaScope;
  result: DeliveryResult;
}

/**
 * E-mails a month's SLA report: the whole report (HTML, with the CSV attached) to each of the province's receivers
 * with an e-mail address, and to each vendor's receivers (`providers[].notify`) only its own circuits. One message per
 * receiver; its Message-ID comes from the month, part and receiver, so a resend is recognised as the same message.
 * A failure is logged and returned, and does not stop the other messages.
 */
export class SlaMailer {
  constructor(private readonly deps: SlaMailerDeps) {}

  /** Sends `month`'s report ("YYYY-MM"; default: the month before the current one). */
  async sendMonth(month = previousMonth(this.deps.calendar.monthOf(this.deps.now()))): Promise<SlaMailOutcome[]> {
    const { audience } = this.deps;
    const outcomes: SlaMailOutcome[] = [];
    const parts: Array<{ scope: SlaScope; label: string; receivers: readonly ReceiverConfig[] }> = [
      { scope: { kind: "all" }, label: "toàn tỉnh", receivers: audience.province },
      ...audience.providers.map((p) => ({ scope: { kind: "provider", provider: p.id } as SlaScope, label: p.name, receivers: p.receivers })),
    ];
    for (const part of parts) {
      const receivers = part.receivers.filter((r) => r.email && r.email.to.length > 0);
      if (receivers.length === 0) continue;
      const report = await this.deps.report(month, part.scope);
      const rendered = renderSlaReport(report, this.deps.provinceName, part.label);
      const csv = slaReportCsv(report);
      const suffix = part.scope.kind === "provider" ? `-${part.scope.provider}` : "";
      for (const receiver of receivers) {
        const result = await this.deps.send({
          to: receiver.email!.to,
          subject: rendered.subject,
          text: rendered.text,
          html: rendered.html,
          attachments: [{ filename: `sla-${month}${suffix}.csv`, content: csv, contentType: "text/csv; charset=utf-8" }],
          messageKey: `sla:${month}:${part.scope.kind === "provider" ? part.scope.provider : "all"}:${receiver.id}`,
        });
        if (result.ok) this.deps.logger.info("SLA report sent", { month, receiver: receiver.id, part: suffix || "all" });
        else this.deps.logger.warn("SLA report not sent", { month, receiver: receiver.id, detail: result.detail, retryable: result.retryable });
        outcomes.push({ receiver: receiver.id, scope: part.scope, result });
      }
    }
    return outcomes;
  }
}

/**
 * Runs `job` on the cron `expression` (validated at load, config/slaSchema.ts) in `timeZone` (the province's), e.g.
 * "0 8 1 * *": 08:00 on the 1st of each month. Returns the task (stop it with `stop()`); it keeps no process alive.
 */
export function scheduleSlaReports(expression: string, timeZone: string, job: () => Promise<unknown>, logger: Logger): ScheduledTask {
  const task = cron.schedule(
    expression,
    async () => {
      try {
        await job();
      } catch (err) {
        logger.error("SLA report job failed", { err });
      }
    },
    { timezone: timeZone, name: "sla-report", noOverlap: true, unref: true },
  );
  return task;
}
