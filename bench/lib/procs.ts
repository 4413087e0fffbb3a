/**
 * Starting and watching the servers under test: each one a fresh child
 * process on 127.0.0.1, pinned to core 0 with `taskset` when it exists, its
 * CPU read from /proc/<pid>/stat and its memory from /proc/<pid>/status.
 */
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { createWriteStream, readFileSync } from "node:fs";
import net from "node:net";
import { HOST } from "./clients";

export const HAS_TASKSET = spawnSync("sh", ["-c", "command -v taskset"]).status === 0;
/** Cores: the servers get the first, the generator the last (the same one on a single-core machine). */
export const CORES = Math.max(1, (await import("node:os")).availableParallelism());
export const SERVER_CORE = 0;
export const GENERATOR_CORE = CORES - 1;
const CLK_TCK = Number(spawnSync("getconf", ["CLK_TCK"]).stdout?.toString().trim()) || 100;

/** Pins this process (all its threads) to the generator's core. */
export function pinGenerator(): boolean {
  if (!HAS_TASKSET || CORES < 2) return false;
  return spawnSync("taskset", ["-a", "-cp", String(GENERATOR_CORE), String(process.pid)]).status === 0;
}

/** utime + stime of a process, in µs. */
export function procCpuUs(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, "latin1");
  // The command name (field 2) may contain spaces; fields after it are plain.
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  const utime = Number(fields[11]);
  const stime = Number(fields[12]);
  return ((utime + stime) * 1e6) / CLK_TCK;
}

/** Resident set size of a process, in bytes. */
export function procRss(pid: number): number {
  const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, "latin1"));
  return m ? Number(m[1]) * 1024 : NaN;
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.once("error", reject);
    s.listen(0, HOST, () => {
      const { port } = s.address() as net.AddressInfo;
      s.close(() => resolve(port));
    });
  });
}

export interface Proc {
  name: string;
  pid: number;
  port: number;
  child: ChildProcess;
  stop(): Promise<void>;
}

/**
 * Spawns `node <args>` with `env` (PORT and HOST added), output into
 * `logFile`, pinned to the server core, and waits until `ready(port)`.
 */
export async function startProc(
  name: string,
  nodeArgs: string[],
  env: Record<string, string>,
  opts: { cwd: string; logFile: string; ready: (port: number) => Promise<boolean>; timeoutMs?: number },
): Promise<Proc> {
  const port = await freePort();
  const cmd = HAS_TASKSET && CORES > 1 ? "taskset" : process.execPath;
  const args = HAS_TASKSET && CORES > 1 ? ["-c", String(SERVER_CORE), process.execPath, ...nodeArgs] : nodeArgs;
  const out = createWriteStream(opts.logFile, { flags: "a" });
  const child = spawn(cmd, args, {
    cwd: opts.cwd,
    env: { PATH: process.env.PATH ?? "", HOME: process.env.HOME ?? "", ...env, PORT: String(port), HOST } as unknown as NodeJS.ProcessEnv,
    stdio: ["ignore", "pipe", "pipe"],
  });
  child.stdout!.pipe(out);
  child.stderr!.pipe(out);
  let exited: number | null = null;
  child.on("exit", (code) => (exited = code ?? -1));
  const deadline = Date.now() + (opts.timeoutMs ?? 120_000);
  for (;;) {
    if (exited !== null) throw new Error(`${name} exited (${exited}) before it was ready; see ${opts.logFile}`);
    if (Date.now() > deadline) {
      child.kill("SIGKILL");
      throw new Error(`${name} was not ready in time; see ${opts.logFile}`);
    }
    if (await opts.ready(port).catch(() => false)) break;
    await new Promise((r) => setTimeout(r, 200));
  }
  return {
    name,
    pid: child.pid!,
    port,
    child,
    stop: () =>
      new Promise<void>((resolve) => {
        if (exited !== null) return resolve();
        const kill = setTimeout(() => child.kill("SIGKILL"), 12_000);
        child.once("exit", () => {
          clearTimeout(kill);
          out.end();
          resolve();
        });
        child.kill("SIGTERM");
      }),
  };
}

/** True once a TCP connection to the port succeeds. */
export function listening(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = net.connect({ port, host: HOST });
    s.once("connect", () => {
      s.destroy();
      resolve(true);
    });
    s.once("error", () => resolve(false));
  });
}
