// The live floor: the requests a live scan cannot avoid, and nothing else. Plain node https with the same
// bearer token, CA, keep-alive, gzip, page size and concurrency as kfscan: discovery (the root documents,
// then the group versions), every LIST page by page (one list holds a slot for all its pages, as in kfscan),
// then the GETs by name. Each answer is decompressed and parsed, since no client can read a page without
// that; nothing is kept.
//
//   node bench/floor-live.mjs plan.json
//
// plan.json: { server, caPem, token, concurrency, pageSize, discovery: [{ path, accept }], lists: [collection
// paths], gets: [paths] }; the root documents (/api, /apis) are fetched before the other discovery documents,
// each with the Accept header kfscan sent (aggregated discovery answers the roots with every group).
import https from 'node:https';
import { readFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';

const plan = JSON.parse(readFileSync(process.argv[2], 'utf8'));
const agent = new https.Agent({ ca: plan.caPem, keepAlive: true, maxSockets: plan.concurrency });
const headers = { Authorization: `Bearer ${plan.token}`, Accept: 'application/json', 'Accept-Encoding': 'gzip', 'User-Agent': 'kfscan-floor' };

function get(path, accept = headers.Accept) {
  return new Promise((resolve, reject) => {
    const request = https.get(`${plan.server}${path}`, { agent, headers: { ...headers, Accept: accept } }, (response) => {
      const chunks = [];
      response.on('data', (chunk) => chunks.push(chunk));
      response.on('error', reject);
      response.on('end', () => {
        const raw = Buffer.concat(chunks);
        const body = JSON.parse((response.headers['content-encoding'] === 'gzip' ? gunzipSync(raw) : raw).toString('utf8'));
        resolve({ status: response.statusCode, body });
      });
    });
    request.on('error', reject);
  });
}

/** Runs the tasks with at most `concurrency` in flight. */
async function pool(tasks, concurrency) {
  let next = 0;
  const worker = async () => {
    while (next < tasks.length) await tasks[next++]();
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, tasks.length) }, worker));
}

async function listAll(path) {
  let token = null;
  let items = 0;
  do {
    const query = new URLSearchParams({ limit: String(plan.pageSize), ...(token ? { continue: token } : {}) });
    const { status, body } = await get(`${path}?${query}`);
    if (status !== 200 || !Array.isArray(body.items)) throw new Error(`LIST ${path}: HTTP ${status}`);
    items += body.items.length;
    token = body.metadata?.continue || null;
  } while (token);
  return items;
}

const isRoot = ({ path }) => path === '/api' || path === '/apis';
await pool(plan.discovery.filter(isRoot).map(({ path, accept }) => () => get(path, accept)), plan.concurrency);
await pool(plan.discovery.filter((entry) => !isRoot(entry)).map(({ path, accept }) => () => get(path, accept)), plan.concurrency);
let objects = 0;
await pool(plan.lists.map((path) => async () => (objects += await listAll(path))), plan.concurrency);
await pool(plan.gets.map((path) => () => get(path)), plan.concurrency);
agent.destroy();
if (objects === 0) process.exit(1);
