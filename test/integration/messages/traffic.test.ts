// A phone's traffic in one statement (lib/messages/traffic.ts, issue 28.3) on both databases:
// exact counts per window, failures by code, nearest-rank ack latency equal to the same figures
// computed in JS from the stored rows, the last inbound time to the millisecond, which phones
// exist, and phones past one statement's chunk of ids.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createTestDatabase, testProviders } from '../../support/databases';
import { latencyFigures, noTraffic, queryTraffic, readTraffic } from '../../../lib/messages/traffic';
import { ID_CHUNK } from '../../../lib/db/sql';

for (const provider of testProviders()) {
  test(`${provider}: the traffic of phones, read in one statement, counts exactly`, async (t) => {
    const tdb = await createTestDatabase(provider);
    t.after(() => tdb.drop());
    const db = tdb.db;
    const org = await db.organization.create({ data: { name: 'Traffic Org' } });
    const a = await db.organizationPhone.create({ data: { organizationId: org.id, phoneJid: '77050002001@s.whatsapp.net' } });
    const b = await db.organizationPhone.create({ data: { organizationId: org.id, phoneJid: '77050002002@s.whatsapp.net' } });
    // A fixed "now" with milliseconds, so the windows' edges are exact.
    const now = Date.parse('2026-12-06T12:00:00.500Z');
    const at = (msAgo: number) => new Date(now - msAgo);
    let n = 0;
    const msg = (phoneId: number, direction: 'in' | 'out', status: string, fields: Record<string, unknown>) => ({
      phoneId,
      messageId: `m${++n}`,
      direction,
      chatJid: '77059990000@s.whatsapp.net',
      kind: 'text',
      status,
      ...fields,
    });
    const lastIn = at(5_123);
    // Acked in the last hour: these latencies (ms); 4 of them acked in the last minute.
    const latencies = [120, 5, 3000, 250, 250, 77, 1001, 9, 60, 400];
    await db.message.createMany({
      data: [
        // in: 3 in the last minute (the latest 5.123 s ago), 2 older
        msg(a.id, 'in', 'received', { createdAt: lastIn }),
        msg(a.id, 'in', 'received', { createdAt: at(30_000) }),
        msg(a.id, 'in', 'received', { createdAt: at(59_000) }),
        msg(a.id, 'in', 'received', { createdAt: at(61_000) }),
        msg(a.id, 'in', 'received', { createdAt: at(7200_000) }),
        ...latencies.map((ms, i) => {
          const ackedAt = i < 4 ? at(10_000 + i) : at(600_000 + i);
          return msg(a.id, 'out', 'sent', { createdAt: new Date(ackedAt.getTime() - ms), ackedAt, updatedAt: ackedAt });
        }),
        // acked two hours ago: in no window
        msg(a.id, 'out', 'sent', { createdAt: at(7300_000), ackedAt: at(7200_000), updatedAt: at(7200_000) }),
        // failed in the last hour: 2 not_on_whatsapp, 1 unknown code and 1 without code (both send_failed); 1 two hours ago
        msg(a.id, 'out', 'failed', { failureCode: 'not_on_whatsapp', updatedAt: at(1_000) }),
        msg(a.id, 'out', 'failed', { failureCode: 'not_on_whatsapp', updatedAt: at(3000_000) }),
        msg(a.id, 'out', 'failed', { failureCode: 'weird_code', updatedAt: at(2_000) }),
        msg(a.id, 'out', 'failed', { failureCode: null, updatedAt: at(2_000) }),
        msg(a.id, 'out', 'failed', { failureCode: 'timeout', updatedAt: at(7200_000) }),
        // queued: counts nowhere
        msg(a.id, 'out', 'queued', { createdAt: at(1_000) }),
      ],
    });
    const missing = b.id + 1000;
    const { known, traffic } = await queryTraffic(db, [a.id, b.id, missing], now);
    assert.deepEqual([...known].sort((x, y) => x - y), [a.id, b.id], 'the phones that exist, not the missing id');
    assert.deepEqual(traffic.get(a.id), {
      inPerMinute: 3,
      outPerMinute: 4,
      failuresByCode: { not_on_whatsapp: 2, send_failed: 2 },
      ackLatencyMs: latencyFigures(latencies),
      lastReceivedAt: lastIn.toISOString(),
    });
    assert.deepEqual(latencyFigures(latencies), { p50: 120, p99: 3000, count: 10 }, 'the expected figures themselves');
    assert.deepEqual(traffic.get(b.id), noTraffic());
    assert.deepEqual(traffic.get(missing), noTraffic());

    // A minute later the minute's counts are 0; the hour's figures stay.
    const later = (await readTraffic(db, [a.id], now + 61_000)).get(a.id)!;
    assert.equal(later.inPerMinute, 0);
    assert.equal(later.outPerMinute, 0);
    assert.equal(later.ackLatencyMs?.count, 10);

    // More phones than one statement binds: read in chunks, the same figures.
    const many = [...Array.from({ length: ID_CHUNK + 10 }, (_, i) => b.id + 2000 + i), a.id];
    const chunked = await queryTraffic(db, many, now);
    assert.deepEqual(chunked.traffic.get(a.id), traffic.get(a.id));
    assert.deepEqual([...chunked.known], [a.id]);
  });
}
