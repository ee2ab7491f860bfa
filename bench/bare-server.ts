/**
 * The lookup bench's baseline: a bare Fastify route answering GET /api/v3/files/:id with a fixed
 * body and headers from memory (no auth, no database, no schema), in its own process.
 *
 *   node --import tsx bench/bare-server.ts RESPONSE.json    (RESPONSE.json: { headers, body })
 */
import { readFileSync } from 'node:fs';
import Fastify from 'fastify';

const file = process.argv[2];
if (!file) throw new Error('usage: bare-server.ts RESPONSE.json');
const { headers, body } = JSON.parse(readFileSync(file, 'utf8')) as { headers: Record<string, string>; body: string };

const app = Fastify({ logger: false });
app.get('/api/v3/files/:id', async (_request, reply) => reply.headers(headers).send(body));
const address = await app.listen({ host: '127.0.0.1', port: 0 });
process.stdout.write(`listening on ${address}\n`);
const stop = () => void app.close().then(() => process.exit(0));
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
