import type { LinkStatus, SiteStateName } from "../../protocol/api.js";
import type { Translator } from "./i18n.js";
import { el } from "./dom.js";

/** The word users see for a link or site state (glossary: Bình thường, Suy giảm, Mất kết nối, Chưa rõ, Mất liên lạc với trạm). */
export function stateLabel(translator: Translator, state: SiteStateName): string {
  return translator.t(`state.${state}`);
}

/** Short name of a link: "TSLCD" for the dedicated network, "Internet <provider>" for an Internet link. */
export function linkShortName(translator: Translator, link: Pick<LinkStatus, "kind" | "providerName" | "provider">): string {
  if (link.kind === "dedicated") return translator.t("kind.dedicated.short");
  return translator.t("kind.internet.short", { provider: link.providerName || link.provider }).trim();
}

/** Long name of a link's kind, from the glossary. */
export function linkKindName(translator: Translator, link: Pick<LinkStatus, "kind">): string {
  return translator.t(link.kind === "dedicated" ? "kind.dedicated.long" : "kind.internet.long");
}

/** A coloured badge with the state's word (colour is never the only signal: the word is always there). */
export function stateBadge(translator: Translator, state: SiteStateName): HTMLElement {
  return el("span", { class: `badge state-${state}` }, el("span", { class: "dot", "aria-hidden": "true" }), stateLabel(translator, state));
}
