/** Attributes for el(): strings set as attributes, `false`/`null`/`undefined` skipped, `true` as an empty attribute. */
export type Attributes = Record<string, string | number | boolean | null | undefined>;

/** A child for el(): nodes as they are, strings as text, null/undefined/false skipped. */
export type Child = Node | string | null | undefined | false;

/**
 * Creates an element with attributes and children. Text is always set as text, never parsed as
 * HTML, so names coming from the API cannot inject markup.
 */
export function el<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  attributes: Attributes = {},
  ...children: Child[]
): HTMLElementTagNameMap[K] {
  const element = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) {
    if (value === false || value === null || value === undefined) continue;
    element.setAttribute(name, value === true ? "" : String(value));
  }
  for (const child of children) {
    if (child === null || child === undefined || child === false) continue;
    element.append(child);
  }
  return element;
}

/** The children worth appending, for replaceChildren(...present(a, b, c)). */
export function present(...children: Child[]): Array<Node | string> {
  return children.filter((child): child is Node | string => child !== null && child !== undefined && child !== false);
}
