// A bare node:http SSE server: GET /events streams, POST /send writes the
// request body as one event to every stream.
import { createServer } from "node:http";

const streams = new Set();
const server = createServer((req, res) => {
  if (req.method === "GET" && req.url === "/events") {
    res.writeHead(200, { "content-type": "text/event-stream", "cache-control": "no-store" });
    res.write(": open\n\n");
    streams.add(res);
    req.on("close", () => streams.delete(res));
    return;
  }
  if (req.method === "POST" && req.url === "/send") {
    let body = "";
    req.setEncoding("utf8");
    req.on("data", (c) => (body += c));
    req.on("end", () => {
      const frame = `data: ${body}\n\n`;
      for (const s of streams) s.write(frame);
      res.writeHead(204).end();
    });
    return;
  }
  res.writeHead(404).end();
});
server.listen(Number(process.env.PORT ?? 0), process.env.HOST ?? "127.0.0.1", () => console.log(`listening ${server.address().port}`));
// A clean exit on SIGTERM, so that --cpu-prof (npm run bench -- --profile) writes its profile.
process.on("SIGTERM", () => process.exit(0));
