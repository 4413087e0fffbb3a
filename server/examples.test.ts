import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import path from "node:path";
import { after, before, describe, it } from "node:test";
import { promisify } from "node:util";
import { startServer, type Harness } from "./test/harness";

const run = promisify(execFile);

describe("docs/examples/node-client.mjs", () => {
  let h: Harness;
  before(async () => {
    h = await startServer();
  });
  after(async () => {
    await h?.stop();
  });

  it("signs in, joins, sends, and the message is stored", async () => {
    const script = path.resolve(import.meta.dirname, "../docs/examples/node-client.mjs");
    const { stdout } = await run(process.execPath, [script, "hello from the example"], {
      env: { ...process.env, BASE_URL: h.url, NAME: "example-bot", ROOM: "general" },
      timeout: 20_000,
    });
    assert.match(stdout, /joined #general: \d+ messages, 1 online/);
    assert.match(stdout, /sent seq 1/);
    const stored = await h.app.prisma.message.findFirstOrThrow({ include: { author: true } });
    assert.equal(stored.body, "hello from the example");
    assert.equal(stored.author.name, "example-bot");
  });
});
