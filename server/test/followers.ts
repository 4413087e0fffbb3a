/**
 * Clients that follow a room on each transport and record the seqs of the
 * log events they receive, replayed or live, in arrival order: what tests
 * compare against 1..N to prove "every event once, in order".
 */
import assert from "node:assert/strict";
import { createParser } from "eventsource-parser";
import WebSocket from "ws";
import type { LogPage, WsServerFrame } from "../contract";
import { connectClient, connected, type Client } from "./harness";

export interface Follower {
  readonly name: string;
  seqs(): number[];
  close(): Promise<void> | void;
}

/** Socket.IO; with `after`, it resumes from that cursor. */
export async function socketFollower(url: string, cookie: string, transport: "websocket" | "polling", after?: number, room = "general"): Promise<Follower & { client: Client }> {
  const client = connectClient(url, cookie, { transports: [transport] });
  await connected(client);
  const live: number[] = [];
  const record = (seq: number) => live.push(seq);
  client.on("message:new", (m) => m.room === room && record(m.seq));
  client.on("message:updated", (p) => p.room === room && record(p.seq));
  client.on("message:deleted", (p) => p.room === room && record(p.seq));
  const joined = await client.emitWithAck("room:join", after === undefined ? { room } : { room, after });
  assert.ok(joined.ok, JSON.stringify(joined));
  const replayed = joined.events.map((e) => e.seq);
  return { name: `socket.io ${transport}`, client, seqs: () => [...replayed, ...live], close: () => void client.close() };
}

/** SSE, from Last-Event-ID when given. */
export function sseFollower(url: string, lastEventId?: number, room = "general"): Follower {
  const seqs: number[] = [];
  const controller = new AbortController();
  const parser = createParser({ onEvent: (e) => e.id && e.event !== "broadcast" && seqs.push(Number(e.id)) });
  void fetch(`${url}/api/rooms/${room}/feed`, { headers: lastEventId === undefined ? {} : { "last-event-id": String(lastEventId) }, signal: controller.signal })
    .then(async (res) => {
      const decoder = new TextDecoder();
      const reader = res.body!.getReader();
      for (let r = await reader.read(); !r.done; r = await reader.read()) parser.feed(decoder.decode(r.value, { stream: true }));
    })
    .catch(() => {});
  return { name: "sse", seqs: () => seqs, close: () => controller.abort() };
}

/** A long-poll loop from a cursor. */
export function longPollFollower(url: string, cookie: string, from: number, room = "general"): Follower {
  const seqs: number[] = [];
  let stop = false;
  const controller = new AbortController();
  const loop = (async () => {
    let cursor = from;
    while (!stop) {
      const res = await fetch(`${url}/api/rooms/${room}/messages?after=${cursor}&wait=2`, { headers: { cookie }, signal: controller.signal });
      const page = (await res.json()) as LogPage;
      for (const e of page.events) seqs.push(e.seq);
      cursor = page.next;
    }
  })().catch(() => {});
  return {
    name: "long-poll",
    seqs: () => seqs,
    async close() {
      stop = true;
      controller.abort();
      await loop;
    },
  };
}

/** Native WebSocket (/ws). */
export async function wsFollower(url: string, cookie: string, from?: number, room = "general"): Promise<Follower & { ws: WebSocket }> {
  const ws = new WebSocket(`${url.replace("http", "ws")}/ws`, { headers: { cookie, origin: url } });
  const seqs: number[] = [];
  await new Promise<void>((resolve, reject) => (ws.once("open", () => resolve()), ws.once("error", reject)));
  const replied = new Promise<void>((resolve) => {
    ws.on("message", (data) => {
      const frame = JSON.parse(data.toString()) as WsServerFrame;
      if (frame.type === "reply" && frame.ok && "events" in frame) {
        for (const e of frame.events) seqs.push(e.seq);
        resolve();
      }
      if (frame.type === "message:new" && frame.message.room === room) seqs.push(frame.message.seq);
      if ((frame.type === "message:updated" || frame.type === "message:deleted") && frame.room === room) seqs.push(frame.seq);
    });
  });
  ws.send(JSON.stringify(from === undefined ? { type: "room:join", id: 1, room } : { type: "room:join", id: 1, room, after: from }));
  await replied;
  return { name: "/ws", ws, seqs: () => seqs, close: () => ws.close() };
}

export async function until(pred: () => boolean, ms: number, step = 25): Promise<boolean> {
  const deadline = Date.now() + ms;
  while (!pred()) {
    if (Date.now() > deadline) return false;
    await new Promise((r) => setTimeout(r, step));
  }
  return true;
}
