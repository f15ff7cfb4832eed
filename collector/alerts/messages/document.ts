import { escapeHtml, safeLinkTarget } from "./html.js";
import type { MessageLanguage } from "./wording.js";

/**
 * A message written once as blocks and rendered twice, as plain text and as HTML, so the two parts of an e-mail
 * always say the same thing. All strings in a document are plain text; the HTML renderer escapes every one.
 */

/** One labelled value ("Mã kênh: DNI-TSL-000123"); `href` makes the value a link (http(s) or geo: only). */
export interface Field {
  label: string;
  value: string;
  href?: string;
}

/** A part of a message, rendered in order. */
export type Block =
  | { kind: "paragraph"; text: string }
  | { kind: "fields"; fields: Field[] }
  | { kind: "list"; heading: string; items: string[] }
  /** Numbered rows: each row a title (the first column after the number) and one cell per further column. */
  | { kind: "table"; heading: string; numberColumn: string; titleColumn: string; columns: string[]; rows: Array<{ title: string; cells: string[] }> }
  /** A link the reader is asked to open, with what to do there. */
  | { kind: "action"; heading: string; instruction: string; label: string; url: string };

/** A whole message body. */
export interface MessageDocument {
  language: MessageLanguage;
  title: string;
  blocks: Block[];
  footer: string;
}

/** A rendered message: the subject line, the plain-text body and the HTML body (a complete document). */
export interface RenderedMessage {
  subject: string;
  text: string;
  html: string;
}

/** Renders `document` as plain text and as HTML under `subject`. */
export function renderDocument(subject: string, document: MessageDocument): RenderedMessage {
  return { subject, text: renderText(document), html: renderHtml(document) };
}

function renderText(document: MessageDocument): string {
  const sections = [`${document.title}\n${"=".repeat(document.title.length)}`];
  for (const block of document.blocks) {
    switch (block.kind) {
      case "paragraph":
        sections.push(block.text);
        break;
      case "fields":
        sections.push(block.fields.map((field) => `${field.label}: ${field.value}`).join("\n"));
        break;
      case "list":
        sections.push([`${block.heading}:`, ...block.items.map((item) => `- ${item}`)].join("\n"));
        break;
      case "table":
        sections.push(
          [
            `${block.heading}:`,
            ...block.rows.map((row, index) =>
              [`${index + 1}. ${row.title}`, ...block.columns.map((column, c) => `   ${column}: ${row.cells[c] ?? ""}`)].join("\n"),
            ),
          ].join("\n"),
        );
        break;
      case "action":
        sections.push(`${block.heading}:\n${block.instruction}\n${block.url}`);
        break;
    }
  }
  sections.push(`-- \n${document.footer}`);
  return `${sections.join("\n\n")}\n`;
}

const STYLE = {
  body: "font-family:Arial,Helvetica,sans-serif;font-size:14px;line-height:1.45;color:#1f2933",
  label: "text-align:left;vertical-align:top;padding:3px 16px 3px 0;white-space:nowrap",
  cell: "text-align:left;vertical-align:top;padding:4px 8px;border:1px solid #c5ccd3",
  button: "display:inline-block;padding:8px 16px;background:#0b5cad;color:#ffffff;text-decoration:none;border-radius:4px",
  footer: "color:#616e7c;font-size:12px",
} as const;

function renderHtml(document: MessageDocument): string {
  const parts = [`<h2>${escapeHtml(document.title)}</h2>`];
  for (const block of document.blocks) {
    switch (block.kind) {
      case "paragraph":
        parts.push(`<p>${escapeHtml(block.text)}</p>`);
        break;
      case "fields":
        parts.push(
          `<table style="border-collapse:collapse">${block.fields
            .map((field) => `<tr><th style="${STYLE.label}">${escapeHtml(field.label)}</th><td>${linkOrText(field.value, field.href)}</td></tr>`)
            .join("")}</table>`,
        );
        break;
      case "list":
        parts.push(`<h3>${escapeHtml(block.heading)}</h3><ul>${block.items.map((item) => `<li>${escapeHtml(item)}</li>`).join("")}</ul>`);
        break;
      case "table": {
        const head = [block.numberColumn, block.titleColumn, ...block.columns].map((column) => `<th style="${STYLE.cell}">${escapeHtml(column)}</th>`);
        const rows = block.rows.map(
          (row, index) =>
            `<tr>${[String(index + 1), row.title, ...row.cells].map((cell) => `<td style="${STYLE.cell}">${escapeHtml(cell)}</td>`).join("")}</tr>`,
        );
        parts.push(`<h3>${escapeHtml(block.heading)}</h3><table style="border-collapse:collapse"><thead><tr>${head.join("")}</tr></thead><tbody>${rows.join("")}</tbody></table>`);
        break;
      }
      case "action": {
        const target = safeLinkTarget(block.url);
        const button = target ? `<p><a href="${escapeHtml(target)}" style="${STYLE.button}">${escapeHtml(block.label)}</a></p>` : "";
        parts.push(`<h3>${escapeHtml(block.heading)}</h3><p>${escapeHtml(block.instruction)}</p>${button}<p>${linkOrText(block.url, block.url)}</p>`);
        break;
      }
    }
  }
  parts.push(`<hr><p style="${STYLE.footer}">${escapeHtml(document.footer)}</p>`);
  return [
    "<!DOCTYPE html>",
    `<html lang="${document.language}"><head><meta charset="utf-8"><title>${escapeHtml(document.title)}</title></head>`,
    `<body style="${STYLE.body}">`,
    ...parts,
    "</body></html>",
    "",
  ].join("\n");
}

function linkOrText(text: string, href: string | undefined): string {
  const target = href === undefined ? null : safeLinkTarget(href);
  return target ? `<a href="${escapeHtml(target)}">${escapeHtml(text)}</a>` : escapeHtml(text);
}
