/**
 * The formatting rules (components/markdown/tree.ts): each construct of the
 * subset, what stays text, the link rules, and a corpus of hostile bodies
 * that must never yield anything but the allowed elements and safe links.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { LINK_REL, longSource, markdownTree, MAX_DEPTH, safeHref, type MdNode } from "../components/markdown/tree";
import { XSS_CORPUS } from "../e2e/xss-corpus";

/**
 * A readable outline of a tree for assertions (test only: the renderer never
 * makes markup). Text is escaped so that `&lt;b&gt;` here means "the text <b>".
 */
function outline(nodes: MdNode[]): string {
  return nodes
    .map((n) => {
      if (n.type === "text") return n.value.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
      const attrs = Object.entries(n.attrs ?? {})
        .filter(([k]) => k !== "target" && k !== "rel")
        .map(([k, v]) => ` ${k}="${v}"`)
        .join("");
      return `<${n.tag}${attrs}>${outline(n.children)}</${n.tag}>`;
    })
    .join("");
}
const md = (source: string) => outline(markdownTree(source));

function* walk(nodes: MdNode[], depth = 1): Generator<{ node: MdNode; depth: number }> {
  for (const node of nodes) {
    yield { node, depth };
    if (node.type === "element") yield* walk(node.children, depth + 1);
  }
}
const textOf = (nodes: MdNode[]): string => nodes.map((n) => (n.type === "text" ? n.value : textOf(n.children))).join("");

describe("markdown subset", () => {
  it("keeps plain text as one paragraph, newlines included", () => {
    assert.equal(md("hello"), "<p>hello</p>");
    assert.equal(md("line one\nline two"), "<p>line one\nline two</p>");
    assert.equal(md("hard  \nbreak"), "<p>hard\nbreak</p>");
    assert.equal(md("first\n\nsecond"), "<p>first</p><p>second</p>");
    assert.deepEqual(markdownTree(""), []);
  });

  it("bold, italic, strikethrough and their nesting", () => {
    assert.equal(md("**bold** __also__"), "<p><strong>bold</strong> <strong>also</strong></p>");
    assert.equal(md("*it* _also_"), "<p><em>it</em> <em>also</em></p>");
    assert.equal(md("~~gone~~"), "<p><del>gone</del></p>");
    assert.equal(md("**a _b ~~c~~_**"), "<p><strong>a <em>b <del>c</del></em></strong></p>");
    assert.equal(md("snake_case_name"), "<p>snake_case_name</p>");
  });

  it("inline code keeps its content literal", () => {
    assert.equal(md("run `npm ci`"), "<p>run <code>npm ci</code></p>");
    assert.equal(md("`<b>**not bold**</b>`"), "<p><code>&lt;b&gt;**not bold**&lt;/b&gt;</code></p>");
  });

  it("fenced code notes its language, only when it is a plain word", () => {
    assert.equal(md("```ts\nconst a = 1;\n  indented();\n```"), '<pre data-lang="ts"><code>const a = 1;\n  indented();</code></pre>');
    assert.equal(md("```c++ extra words\nx\n```"), '<pre data-lang="c++"><code>x</code></pre>');
    assert.equal(md("```\nno language\n```"), "<pre><code>no language</code></pre>");
    assert.equal(md('```"><b>\nx\n```'), "<pre><code>x</code></pre>");
    assert.equal(md("~~~\ntildes\n~~~"), "<pre><code>tildes</code></pre>");
    assert.equal(md("    indented code"), "<pre><code>indented code</code></pre>");
  });

  it("block quotes, nested", () => {
    assert.equal(md("> quoted\n> still"), "<blockquote><p>quoted\nstill</p></blockquote>");
    assert.equal(md("> outer\n>> inner"), "<blockquote><p>outer</p><blockquote><p>inner</p></blockquote></blockquote>");
  });

  it("unordered and ordered lists, with their start and nesting", () => {
    assert.equal(md("- a\n- **b**"), "<ul><li>a</li><li><strong>b</strong></li></ul>");
    assert.equal(md("1. one\n2. two"), "<ol><li>one</li><li>two</li></ol>");
    assert.equal(md("3. three\n4. four"), '<ol start="3"><li>three</li><li>four</li></ol>');
    assert.equal(md("- a\n  - nested"), "<ul><li>a<ul><li>nested</li></ul></li></ul>");
    assert.equal(md("- loose\n\n- list"), "<ul><li><p>loose</p></li><li><p>list</p></li></ul>");
    assert.equal(md("- [ ] task\n- [x] done"), "<ul><li>[ ] task</li><li>[x] done</li></ul>");
  });

  it("links open in a new tab as user content", () => {
    const [p] = markdownTree("[site](https://example.com/a?b=1)");
    assert.ok(p?.type === "element");
    assert.deepEqual(p.children[0], {
      type: "element",
      tag: "a",
      attrs: { href: "https://example.com/a?b=1", target: "_blank", rel: "noopener noreferrer nofollow ugc" },
      children: [{ type: "text", value: "site" }],
    });
    assert.equal(LINK_REL, "noopener noreferrer nofollow ugc");
    assert.equal(md("[**bold** link](https://example.com)"), '<p><a href="https://example.com/"><strong>bold</strong> link</a></p>');
    assert.equal(md("[](https://example.com)"), '<p><a href="https://example.com/">https://example.com</a></p>');
    assert.equal(md("[mail](mailto:a@example.com)"), '<p><a href="mailto:a@example.com">mail</a></p>');
  });

  it("bare URLs, www. and e-mail addresses become links", () => {
    assert.equal(md("see https://example.com/x."), '<p>see <a href="https://example.com/x">https://example.com/x</a>.</p>');
    assert.equal(md("www.example.com"), '<p><a href="http://www.example.com/">www.example.com</a></p>');
    assert.equal(md("<https://example.com>"), '<p><a href="https://example.com/">https://example.com</a></p>');
    assert.equal(md("mail a@example.com"), '<p>mail <a href="mailto:a@example.com">a@example.com</a></p>');
    assert.equal(md("`https://example.com`"), "<p><code>https://example.com</code></p>");
  });

  it("reference-style links follow the same rules; definitions stay visible", () => {
    assert.equal(md("[a][r]\n\n[r]: https://example.com"), '<p><a href="https://example.com/">a</a></p><p>[r]: https://example.com</p>');
    assert.equal(md("[a][r]\n\n[r]: javascript:alert(1)"), "<p>[a][r]</p><p>[r]: javascript:alert(1)</p>");
  });

  it("never nests a link in a link", () => {
    const tree = markdownTree("[outer [inner](https://b.example) text](https://a.example)");
    for (const { node } of walk(tree)) {
      if (node.type === "element" && node.tag === "a") {
        assert.ok(![...walk(node.children)].some(({ node: n }) => n.type === "element" && n.tag === "a"), outline(tree));
      }
    }
  });

  it("raw HTML, headings, tables and rules show as the text written", () => {
    assert.equal(md("<b>hi</b> there"), "<p>&lt;b&gt;hi&lt;/b&gt; there</p>");
    assert.equal(md("<div>\nblock\n</div>"), "<p>&lt;div&gt;\nblock\n&lt;/div&gt;</p>");
    assert.equal(md("# Title\ntext"), "<p># Title</p><p>text</p>");
    assert.equal(md("Title\n====="), "<p>Title\n=====</p>");
    assert.equal(md("| a | b |\n|---|---|\n| 1 | 2 |"), "<p>| a | b |\n|---|---|\n| 1 | 2 |</p>");
    assert.equal(md("---"), "<p>---</p>");
    assert.equal(md("a \\*not em\\*"), "<p>a *not em*</p>");
  });

  it("character references are not decoded: text shows as written", () => {
    assert.equal(md("&lt;b&gt; &amp; &#106; AT&T"), "<p>&amp;lt;b&amp;gt; &amp;amp; &amp;#106; AT&amp;T</p>");
    assert.equal(md("[&#106;](https://example.com/&#106;)"), '<p><a href="https://example.com/&#106;">&amp;#106;</a></p>');
    assert.equal(md("`&#106;`"), "<p><code>&amp;#106;</code></p>");
  });

  it("images are links to the image, never images", () => {
    assert.equal(md("![a cat](https://example.com/cat.png)"), '<p><a href="https://example.com/cat.png">a cat</a></p>');
    assert.equal(md("![](https://example.com/cat.png)"), '<p><a href="https://example.com/cat.png">https://example.com/cat.png</a></p>');
    assert.equal(md("![x](javascript:alert(1))"), "<p>![x](javascript:alert(1))</p>");
  });

  it("survives pathological nesting without throwing, with bounded depth", () => {
    for (const source of [">".repeat(5000) + " x", "- ".repeat(2000) + "x", "*".repeat(4000), "[".repeat(4000), "**a ".repeat(1000)]) {
      const tree = markdownTree(source);
      const depth = Math.max(0, ...[...walk(tree)].map((w) => w.depth));
      assert.ok(depth <= 2 * MAX_DEPTH + 4, `depth ${depth}`);
      assert.ok(textOf(tree).length > 0);
    }
  });

  it("long bodies are told by their source lines", () => {
    assert.equal(longSource(Array.from({ length: 25 }, (_, i) => `line ${i}`).join("\n")), false);
    assert.equal(longSource(Array.from({ length: 26 }, (_, i) => `line ${i}`).join("\n")), true);
  });
});

describe("link rules", () => {
  it("allows absolute http, https and mailto URLs only, serialized by the URL parser", () => {
    assert.equal(safeHref("https://example.com"), "https://example.com/");
    assert.equal(safeHref("HTTP://EXAMPLE.com/a b"), "http://example.com/a%20b");
    assert.equal(safeHref("mailto:a@example.com"), "mailto:a@example.com");
    for (const bad of [
      "javascript:alert(1)",
      "JAVASCRIPT:alert(1)",
      " javascript:alert(1)",
      "\u0000javascript:alert(1)",
      "java\nscript:alert(1)",
      "java\tscript:alert(1)",
      "\u001fjavascript:alert(1)",
      "&#106;avascript:alert(1)",
      "javascript&colon;alert(1)",
      "vbscript:msgbox(1)",
      "VBScript:msgbox(1)",
      "data:text/html,<script>alert(1)</script>",
      " DATA:text/html;base64,PHNjcmlwdD4=",
      "file:///etc/passwd",
      "ftp://example.com",
      "blob:https://example.com/uuid",
      "//example.com/x",
      "/relative",
      "relative/path",
      "#fragment",
      "?query",
      "\\\\example.com",
      "",
    ]) {
      assert.equal(safeHref(bad), null, JSON.stringify(bad));
    }
  });

  it("a refused link shows what was written", () => {
    assert.equal(md("[x](javascript:alert(1))"), "<p>[x](javascript:alert(1))</p>");
    assert.equal(md("[x](data:text/html,hi)"), "<p>[x](data:text/html,hi)</p>");
    assert.equal(md("[x](/relative)"), "<p>[x](/relative)</p>");
    assert.equal(md("[x](//example.com)"), "<p>[x](//example.com)</p>");
    assert.equal(md("<javascript:alert(1)>"), "<p>&lt;javascript:alert(1)&gt;</p>");
  });
});

describe("XSS corpus", () => {
  const ELEMENTS = new Set(["p", "strong", "em", "del", "code", "pre", "blockquote", "ul", "ol", "li", "a"]);
  const ATTRIBUTES = new Set(["href", "target", "rel", "start", "data-lang"]);

  it("has at least 50 payloads", () => assert.ok(XSS_CORPUS.length >= 50, String(XSS_CORPUS.length)));

  for (const payload of XSS_CORPUS) {
    it(`stays inert: ${JSON.stringify(payload).slice(0, 90)}`, () => {
      const tree = markdownTree(payload);
      for (const { node } of walk(tree)) {
        if (node.type === "text") {
          assert.equal(typeof node.value, "string");
          continue;
        }
        assert.ok(ELEMENTS.has(node.tag), `element <${node.tag}>`);
        for (const [name, value] of Object.entries(node.attrs ?? {})) {
          assert.ok(ATTRIBUTES.has(name), `attribute ${name}`);
          assert.ok(!/^on/i.test(name), `handler ${name}`);
          if (name === "data-lang") assert.match(String(value), /^[\w+#.-]+$/);
          if (name === "start") assert.equal(typeof value, "number");
        }
        if (node.tag === "a") {
          const href = node.attrs?.href;
          assert.ok(href, "a link has an href");
          const url = new URL(href);
          assert.ok(["http:", "https:", "mailto:"].includes(url.protocol), href);
          assert.equal(url.href, href, "href is the parser's serialization");
          assert.equal(node.attrs?.target, "_blank");
          assert.equal(node.attrs?.rel, LINK_REL);
        } else {
          assert.equal(node.attrs?.href, undefined);
        }
      }
      // What was written is still there to read, as text.
      const tag = /^"?'?>?<(script|img|svg|iframe)/.exec(payload);
      if (tag) assert.ok(textOf(tree).includes(`<${tag[1]}`), outline(tree));
    });
  }
});
