import type { Notification } from "../notification.js";
import type { RenderedMessage } from "./document.js";
import { renderFaultReport } from "./faultReport.js";
import { renderRecoveryNotice } from "./recoveryNotice.js";

/** The message for `notification`: the recovery notice for `recovery`, the fault report (report, repeat, escalation, update) otherwise. Pure. */
export function renderNotification(notification: Notification): RenderedMessage {
  return notification.message === "recovery" ? renderRecoveryNotice(notification) : renderFaultReport(notification);
}
