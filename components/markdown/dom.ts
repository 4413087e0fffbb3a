/**
 * The plain-DOM adapter of the shared tree (components/markdown/tree.ts), for
 * the embed, which has no framework. Elements come from createElement, text
 * from createTextNode: nothing is ever parsed as HTML. Styles live in the
 * embed page's STYLE (server/http/embed.ts), under `.md`.
 */
import { COLLAPSE_LINES, COLLAPSED_LINES, longSource, markdownTree, type MdNode } from "./tree";

function build(nodes: MdNode[], parent: Node) {
  for (const node of nodes) {
    if (node.type === "text") {
      parent.appendChild(document.createTextNode(node.value));
      continue;
    }
    const el = document.createElement(node.tag);
    for (const [name, value] of Object.entries(node.attrs ?? {})) el.setAttribute(name, String(value));
    build(node.children, el);
    parent.appendChild(el);
  }
}

export interface CollapseStrings {
  showMore: string;
  showLess: string;
}

let ids = 0;

/**
 * Fills `slot` (already in the document, so the body can be measured) with
 * the formatted body, and when it is long, collapses it to COLLAPSED_LINES
 * lines behind a "Show more" button. Running it again (after an edit)
 * replaces both and decides again.
 */
export function renderBody(slot: HTMLElement, source: string, strings: CollapseStrings) {
  const body = document.createElement("div");
  body.className = "md";
  body.id = `md-${++ids}`;
  build(markdownTree(source), body);
  slot.replaceChildren(body);
  const line = parseFloat(getComputedStyle(body).lineHeight) || 20;
  if (!longSource(source) && body.scrollHeight <= line * COLLAPSE_LINES) return;

  body.style.setProperty("--collapsed-lines", String(COLLAPSED_LINES));
  const button = document.createElement("button");
  button.type = "button";
  button.className = "more";
  button.setAttribute("aria-controls", body.id);
  const set = (open: boolean) => {
    body.classList.toggle("collapsed", !open);
    button.setAttribute("aria-expanded", String(open));
    button.textContent = open ? strings.showLess : strings.showMore;
  };
  button.addEventListener("click", () => set(body.classList.contains("collapsed")));
  // Tabbing to a link hidden below the fold unfolds the message.
  body.addEventListener("focusin", (e) => {
    const target = e.target as HTMLElement;
    if (body.classList.contains("collapsed") && target.getBoundingClientRect().bottom > body.getBoundingClientRect().bottom) set(true);
  });
  set(false);
  slot.append(button);
}
