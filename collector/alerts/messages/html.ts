/** Text as HTML: every character that could open markup or end an attribute value is escaped (& < > " '). */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (char) => HTML_ENTITIES[char] ?? char);
}

const HTML_ENTITIES: Readonly<Record<string, string>> = Object.freeze({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" });

/**
 * `url` when it is safe as a link target in a message (http:, https:, or geo: for coordinates), else null: a
 * `javascript:` or `data:` URL never becomes a link, it is shown as text.
 */
export function safeLinkTarget(url: string): string | null {
  if (/^geo:-?\d+(\.\d+)?,-?\d+(\.\d+)?$/.test(url)) return url;
  if (!URL.canParse(url)) return null;
  const protocol = new URL(url).protocol;
  return protocol === "http:" || protocol === "https:" ? url : null;
}
