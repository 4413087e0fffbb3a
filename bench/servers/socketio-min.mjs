// The minimal Socket.IO chat a user would hand-write, default options.
// PORT and HOST from the environment; prints "listening <port>" when ready.
import { createServer } from "node:http";
import { Server } from "socket.io";

const server = createServer();
const io = new Server(server);
io.on("connection", (socket) => {
  socket.on("chat message", (m) => io.emit("chat message", m));
});
server.listen(Number(process.env.PORT ?? 0), process.env.HOST ?? "127.0.0.1", () => console.log(`listening ${server.address().port}`));
// A clean exit on SIGTERM, so that --cpu-prof (npm run bench -- --profile) writes its profile.
process.on("SIGTERM", () => process.exit(0));
