/**
 * Child processes for tests that need more than one process (two servers on
 * one database, a lock held by another process). Output is collected, so a
 * test can wait for a line and show everything a child said when it fails.
 */
import { spawn, type ChildProcess } from "node:child_process";
import path from "node:path";

const ROOT = path.resolve(import.meta.dirname, "../..");

export interface Child {
  proc: ChildProcess;
  /** Everything the child wrote to stdout and stderr so far. */
  output(): string;
  /** Resolves with the first match of `pattern` in the output; rejects on timeout or exit. */
  waitFor(pattern: RegExp, ms?: number): Promise<RegExpMatchArray>;
  /** Resolves with the exit code (or signal name) once the child has exited. */
  exited: Promise<number | string>;
  kill(signal?: NodeJS.Signals): Promise<number | string>;
}

/** Runs a TypeScript file (relative to the repository) under tsx with extra environment. */
export function spawnTs(script: string, env: Record<string, string>): Child {
  const proc = spawn(process.execPath, ["--import", "tsx", path.join(ROOT, script)], {
    cwd: ROOT,
    env: { ...process.env, ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let out = "";
  const listeners = new Set<() => void>();
  const onData = (chunk: Buffer) => {
    out += chunk.toString();
    for (const l of listeners) l();
  };
  proc.stdout!.on("data", onData);
  proc.stderr!.on("data", onData);
  const exited = new Promise<number | string>((resolve) => proc.once("close", (code, signal) => resolve(code ?? signal ?? "?")));
  let done = false;
  void exited.then(() => {
    done = true;
    for (const l of listeners) l();
  });

  return {
    proc,
    output: () => out,
    exited,
    waitFor(pattern, ms = 30_000) {
      return new Promise((resolve, reject) => {
        const check = () => {
          const m = out.match(pattern);
          if (m) return finish(() => resolve(m));
          if (done) finish(() => reject(new Error(`${script} exited before printing ${pattern}:\n${out}`)));
        };
        const timer = setTimeout(() => finish(() => reject(new Error(`timed out waiting for ${pattern} from ${script}:\n${out}`))), ms);
        const finish = (fn: () => void) => {
          clearTimeout(timer);
          listeners.delete(check);
          fn();
        };
        listeners.add(check);
        check();
      });
    },
    async kill(signal = "SIGTERM") {
      if (!done) proc.kill(signal);
      return exited;
    },
  };
}
