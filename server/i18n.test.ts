/** Every UI string exists in both languages, and every key the code asks for exists. */
import assert from "node:assert/strict";
import { readFileSync, readdirSync, statSync } from "node:fs";
import path from "node:path";
import { describe, it } from "node:test";

const root = path.resolve(import.meta.dirname, "..");
const load = (lang: string) => JSON.parse(readFileSync(path.join(root, "components/i18n/messages", `${lang}.json`), "utf8"));

function keys(obj: Record<string, unknown>, prefix = ""): string[] {
  return Object.entries(obj).flatMap(([k, v]) =>
    v && typeof v === "object" ? keys(v as Record<string, unknown>, `${prefix}${k}.`) : [`${prefix}${k}`],
  );
}

function sources(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const file = path.join(dir, name);
    if (statSync(file).isDirectory()) return sources(file);
    return /\.tsx?$/.test(name) ? [file] : [];
  });
}

describe("message catalogs", () => {
  it("English and Simplified Chinese have the same keys", () => {
    const en = keys(load("en")).sort();
    const zh = keys(load("zh-CN")).sort();
    assert.deepEqual(zh.filter((k) => !en.includes(k)), [], "only in zh-CN");
    assert.deepEqual(en.filter((k) => !zh.includes(k)), [], "only in en");
  });

  it("has every literal key the components ask for", () => {
    const en = new Set(keys(load("en")));
    const missing: string[] = [];
    for (const file of [...sources(path.join(root, "components")), ...sources(path.join(root, "app"))]) {
      const text = readFileSync(file, "utf8");
      // useTranslations("ns") / getTranslations("ns") bound to a name, then name("key")
      // up to the next binding of the same name (one component per binding).
      const bindings = [...text.matchAll(/const (\w+) = (?:await )?(?:useTranslations|getTranslations)\("([\w.]+)"\)/g)];
      bindings.forEach((m, i) => {
        const [, fn, ns] = m;
        const end = bindings.slice(i + 1).find((b) => b[1] === fn)?.index ?? text.length;
        const scope = text.slice(m.index, end);
        for (const call of scope.matchAll(new RegExp(`\\b${fn}\\("([\\w.]+)"`, "g"))) {
          const key = `${ns}.${call[1]}`;
          if (!en.has(key)) missing.push(`${path.relative(root, file)}: ${key}`);
        }
      });
    }
    assert.deepEqual(missing, []);
  });
});
