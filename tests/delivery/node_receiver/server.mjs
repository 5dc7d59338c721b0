// A member app's webhook endpoint written against the npm `standardwebhooks` package, for
// tests/delivery/test_faults.py: proof that other Standard Webhooks libraries accept the
// hub's signatures. Run: node server.mjs --port 8124 --secret whsec_… --log arrivals.jsonl
// Each POST is verified with `new Webhook(secret).verify(body, headers)`: 204 when it
// verifies, 401 when not; one JSON line per request goes to the log. GET /health: 200.
import { appendFileSync } from "node:fs";
import { createServer } from "node:http";
import { parseArgs } from "node:util";
import standardwebhooks from "standardwebhooks";

const { Webhook } = standardwebhooks;
const { values } = parseArgs({
  options: {
    port: { type: "string" },
    secret: { type: "string" },
    log: { type: "string" },
  },
});
if (!values.port || !values.secret || !values.log) {
  console.error("usage: node server.mjs --port PORT --secret whsec_… --log FILE");
  process.exit(2);
}
const webhook = new Webhook(values.secret);

const server = createServer((request, response) => {
  if (request.method === "GET") {
    response.writeHead(request.url === "/health" ? 200 : 404).end();
    return;
  }
  const chunks = [];
  request.on("data", (chunk) => chunks.push(chunk));
  request.on("end", () => {
    const body = Buffer.concat(chunks).toString("utf8");
    const headers = {
      "webhook-id": request.headers["webhook-id"] ?? "",
      "webhook-timestamp": request.headers["webhook-timestamp"] ?? "",
      "webhook-signature": request.headers["webhook-signature"] ?? "",
    };
    const entry = {
      id: headers["webhook-id"],
      signatures: headers["webhook-signature"].split(" ").filter(Boolean).length,
    };
    try {
      const payload = webhook.verify(body, headers);
      Object.assign(entry, { ok: true, type: payload.type });
    } catch (error) {
      Object.assign(entry, { ok: false, error: String(error?.message ?? error) });
    }
    appendFileSync(values.log, JSON.stringify(entry) + "\n");
    response.writeHead(entry.ok ? 204 : 401).end();
  });
});
server.listen(Number(values.port), "127.0.0.1", () => {
  console.error(`receiving on 127.0.0.1:${values.port}`);
});
for (const signal of ["SIGTERM", "SIGINT"]) {
  process.on(signal, () => {
    server.close(() => process.exit(0));
    server.closeAllConnections();
  });
}
