// A bare `ws` broadcast server: every text message goes to every client.
import { createServer } from "node:http";
import { WebSocketServer } from "ws";

const server = createServer();
const wss = new WebSocketServer({ server });
wss.on("connection", (socket) => {
  socket.on("message", (data, isBinary) => {
    for (const client of wss.clients) client.send(data, { binary: isBinary });
  });
});
server.listen(Number(process.env.PORT ?? 0), process.env.HOST ?? "127.0.0.1", () => console.log(`listening ${server.address().port}`));
// A clean exit on SIGTERM, so that --cpu-prof (npm run bench -- --profile) writes its profile.
process.on("SIGTERM", () => process.exit(0));
