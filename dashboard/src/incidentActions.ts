import type { Incident } from "../../protocol/incident.js";
import type { Translator } from "./i18n.js";
import type { IncidentApi } from "./incidentApi.js";
import { apiErrorText } from "./apiErrorText.js";
import { el } from "./dom.js";
import type { RoleAccess } from "./roleAccess.js";

/**
 * What can be done about an open incident: the acknowledge form (`form[data-ack-form]` with the vendor ticket
 * `[data-ack-ticket]` and the name `[data-ack-by]`) and the close button (`[data-resolve]`). Each calls its POST
 * endpoint, then `onDone` so the page refetches the incident; a failure is shown in `[data-action-error]`.
 * The element stays the same across updates, so what someone is typing survives live changes. Only what the user's
 * role may do is offered (`access`): a ward gets neither, a vendor no close button.
 */
export class IncidentActions {
  readonly element: HTMLElement;
  private readonly form: HTMLFormElement;
  private readonly ticket: HTMLInputElement;
  private readonly by: HTMLInputElement;
  private readonly ackButton: HTMLButtonElement;
  private readonly resolveButton: HTMLButtonElement;
  private readonly error: HTMLElement;
  private busy = false;

  constructor(
    private readonly translator: Translator,
    private readonly incidents: IncidentApi,
    private readonly incidentId: string,
    private readonly signal: AbortSignal,
    private readonly onDone: () => Promise<void>,
    private readonly access: Pick<RoleAccess, "acknowledge" | "resolve">,
  ) {
    const { t } = translator;
    this.ticket = el("input", { type: "text", class: "input", name: "ticket", autocomplete: "off", maxlength: 64, "data-ack-ticket": "" });
    this.by = el("input", { type: "text", class: "input", name: "by", autocomplete: "name", maxlength: 100, "data-ack-by": "" });
    this.ackButton = el("button", { type: "submit", class: "button primary" }, t("action.ack"));
    this.form = el(
      "form",
      { class: "ack-form", "data-ack-form": "" },
      el("label", { class: "field" }, el("span", { class: "field-label" }, t("action.ticket")), this.ticket),
      el("label", { class: "field" }, el("span", { class: "field-label" }, t("action.by")), this.by),
      this.ackButton,
    );
    this.resolveButton = el("button", { type: "button", class: "button danger", "data-resolve": "" }, t("action.resolve"));
    this.error = el("p", { class: "notice error", role: "alert", "data-action-error": "", hidden: true });
    this.element = el(
      "section",
      { class: "card actions", "aria-labelledby": "actions-heading" },
      el("h2", { id: "actions-heading" }, t("action.heading")),
      this.form,
      el("div", { class: "resolve" }, this.resolveButton),
      this.error,
    );
    this.form.addEventListener("submit", (event) => {
      event.preventDefault();
      const ticket = this.ticket.value.trim();
      const by = this.by.value.trim();
      void this.run(this.ackButton, () => this.incidents.acknowledge(this.incidentId, { ...(ticket ? { ticket } : {}), ...(by ? { by } : {}) }, this.signal));
    });
    this.resolveButton.addEventListener("click", () => {
      const by = this.by.value.trim();
      void this.run(this.resolveButton, () => this.incidents.resolve(this.incidentId, by ? { by } : {}, this.signal));
    });
  }

  /**
   * Shows what the incident allows: nothing once closed; the acknowledge form until someone acknowledged it
   * (the collector refuses a second acknowledgement with another ticket: 409); the close button while open; each
   * only if the role may use it, and nothing at all when it may use neither.
   */
  update(incident: Incident): void {
    const open = incident.state === "open";
    this.element.hidden = !open || (!this.access.acknowledge && !this.access.resolve);
    this.form.hidden = !open || !this.access.acknowledge || incident.timeline.acknowledgedTs !== null || incident.acknowledgedBy !== null;
    this.resolveButton.hidden = !this.access.resolve;
  }

  private async run(button: HTMLButtonElement, action: () => Promise<void>): Promise<void> {
    if (this.busy) return;
    const { t } = this.translator;
    const label = button.textContent ?? "";
    this.busy = true;
    this.setDisabled(true);
    button.textContent = t("action.sending");
    this.error.hidden = true;
    try {
      await action();
      this.ticket.value = "";
      await this.onDone();
    } catch (err) {
      if (this.signal.aborted) return;
      this.error.hidden = false;
      this.error.textContent = t("action.failed", { message: apiErrorText(this.translator, err) });
    } finally {
      this.busy = false;
      button.textContent = label;
      this.setDisabled(false);
    }
  }

  private setDisabled(disabled: boolean): void {
    for (const control of [this.ticket, this.by, this.ackButton, this.resolveButton]) control.disabled = disabled;
  }
}
