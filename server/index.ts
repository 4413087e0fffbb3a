/**
 * Entry point of one node: one process, one port, for pages, /api, SSE,
 * Socket.IO and /ws. `npm start` runs the compiled copy (dist/index.mjs);
 * `npm run dev` runs this file through tsx with hot reload.
 */
import "./dotenv";
import { startRelay } from "./start";

await startRelay({ listen: true });
