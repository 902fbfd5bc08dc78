import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startSimulator, type Simulator } from '../index';
import { pairPhone } from './helpers';

let sim: Simulator;
test.before(async () => {
  sim = await startSimulator({ port: 0 });
});
test.after(() => sim.close());

const post = (path: string, body: string) =>
  fetch(sim.controlUrl + path, { method: 'POST', headers: { 'content-type': 'application/json' }, body });

test('control API: phones, scan, faults and events over HTTP', async () => {
  const client = await pairPhone(sim, '+7 705 999 00 01');
  const phones = (await (await fetch(`${sim.controlUrl}/phones`)).json()) as { phoneJid: string; paired: boolean; connections: number }[];
  assert.deepEqual(phones.map((p) => [p.phoneJid, p.paired, p.connections]), [['77059990001@s.whatsapp.net', true, 1]]);
  const res = await post('/phones/77059990001@s.whatsapp.net/faults', JSON.stringify({ type: 'message', text: 'over http' }));
  assert.equal(res.status, 200);
  assert.deepEqual(await res.json(), { delivered: 1 });
  assert.equal((await client.nextMessage()).text, 'over http');
  const events = (await (await fetch(`${sim.controlUrl}/events?since=0`)).json()) as { type: string }[];
  assert.ok(events.some((e) => e.type === 'fault'));
  client.sock.end(undefined);
  await client.closed;
});

test('control API: bad input gets 400/404 JSON', async () => {
  const cases: [string, string, number][] = [
    ['/phones/77059990001/faults', '{"type":"explode"}', 400],
    ['/phones/77059990001/faults', '{"type":"message","count":0}', 400],
    ['/phones/77059990001/faults', '{not json', 400],
    ['/phones/abc/faults', '{"type":"message"}', 400],
    ['/phones/77050000000/faults', '{"type":"message"}', 404],
    // the newer faults pass validation: the unknown phone is what is refused
    ['/phones/77050000000/faults', '{"type":"invalid-prekey"}', 404],
    ['/phones/77050000000/faults', '{"type":"duplicate"}', 404],
    ['/phones/77050000000/scan', '{"qr":"a,b,c,d"}', 404],
    ['/phones/77050000000/scan', '{"qr":"not-a-qr"}', 400],
    ['/nope', '{}', 404],
  ];
  for (const [path, body, status] of cases) {
    const res = await post(path, body);
    assert.equal(res.status, status, `${path} ${body}`);
    assert.equal(typeof ((await res.json()) as { error: string }).error, 'string');
  }
  assert.equal((await fetch(`${sim.controlUrl}/events?since=-1`)).status, 400);
});
