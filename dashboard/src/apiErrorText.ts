import type { Translator } from "./i18n.js";
import { ApiError } from "./api.js";

/**
 * What to tell the user about a failed request: a sentence for "cannot reach the server" and "malformed answer",
 * else the collector's own message (the caller frames it, e.g. "Lỗi: …").
 */
export function apiErrorText(translator: Translator, err: unknown): string {
  const { t } = translator;
  if (err instanceof ApiError && err.code === "network") return t("error.network");
  if (err instanceof ApiError && err.code === "malformed") return t("error.malformed");
  return err instanceof Error ? err.message : String(err);
}
