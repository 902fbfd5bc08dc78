// Alerts for real: phones paired through the simulator with the real Baileys client, a real
// database, a real SMTP server on loopback (smtp-server) that reads every mail, and the webhook
// outbox delivering the `alert` event to a loopback receiver.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createAlerter, type Alerter } from '../../../lib/alerts';
import { parseConfig } from '../../../lib/config';
import { WebhookNotifier } from '../../../lib/webhooks/outbox';
import type { SessionManager } from '../../../lib/sessions/manager';
import type { Db } from '../../../lib/db/client';
import { startEngineHarness } from '../../support/harness';
import { testProviders } from '../../support/databases';
import { pairPhones } from '../../support/pairing';
import { startSmtpServer } from '../../support/smtp';
import { startWebhookReceiver } from '../../support/webhook-receiver';
import { TEST_OUTBOUND, testLogger } from '../../support/engine';

const BASE = 'http://console.test:3000';

/**
 * SMTP server, webhook receiver and outbox, and alerters for the harness's database. Call the
 * returned `close` at the end of the test: `t.after` hooks run in order, and the harness's
 * (registered first) drops the database.
 */
async function alertsFor(db: Db, manager: SessionManager, env: Record<string, string> = {}) {
  const smtp = await startSmtpServer();
  const hook = await startWebhookReceiver();
  const webhooks = new WebhookNotifier({ url: hook.url, outbound: TEST_OUTBOUND, pollMs: 50 }, db, testLogger()).start();
  const config = parseConfig({ SMTP_URL: smtp.url, ALERT_EMAIL_TO: 'ops@example.com', NEXTAUTH_URL: BASE, ALERT_BATCH_MS: '300', ALERT_DIGEST_THRESHOLD: '5', ...env });
  const alerters: Alerter[] = [];
  const make = () => {
    const a = createAlerter({ config, db, webhooks, log: testLogger(), organizationOf: (id) => manager.snapshot(id)?.organizationId ?? null });
    alerters.push(a);
    return a;
  };
  const close = async () => {
    for (const a of alerters) {
      await a.idle();
      a.stop();
    }
    await webhooks.idle();
    await webhooks.stop();
    await smtp.close();
    await hook.close();
  };
  return { smtp, hook, webhooks, make, close };
}

for (const provider of testProviders()) {
  test(`${provider}: a phone logged out by WhatsApp sends one mail (subject, phone, reason, link to its page) and one webhook alert`, async (t) => {
    const { tdb, manager, sim, rec } = await startEngineHarness(t, { provider });
    const al = await alertsFor(tdb.db, manager);
    const { smtp, hook, webhooks, make } = al;
    try {
      const alerter = make();
      const off = manager.subscribe((e) => alerter.onEngineEvent(e));
      t.after(off);
      const jid = '77051110001@s.whatsapp.net';
      const [phone] = await pairPhones(tdb.db, manager, sim, [jid]);
      const mark = rec.mark();
      await sim.inject(jid, { type: 'logged-out' });
      await rec.waitFor((e) => e.type === 'state' && e.state === 'logged_out', 30_000, mark);

      const mail = await smtp.waitFor((m) => m.subject.includes('+77051110001'));
      assert.equal(mail.subject, '[ALERT] +77051110001 logged out');
      assert.deepEqual(mail.to, ['ops@example.com']);
      assert.match(mail.text, /Phone: \+77051110001/);
      assert.match(mail.text, /Reason: Logged out by WhatsApp: .*\(401\)/);
      assert.match(mail.text, new RegExp(`Open: ${BASE}/sessions/${phone.id}\\b`));
      assert.match(mail.html, new RegExp(`href="${BASE}/sessions/${phone.id}"`));

      const delivered = await hook.waitFor((r) => r.headers['x-webhook-event'] === 'alert');
      const body = delivered.json as { type: string; status: string; incident: { kind: string; phoneId: number; phone: string; url: string; reason: string } };
      assert.equal(body.type, 'alert');
      assert.equal(body.status, 'firing');
      assert.deepEqual([body.incident.kind, body.incident.phoneId, body.incident.phone, body.incident.url], ['logged_out', phone.id, '+77051110001', `${BASE}/sessions/${phone.id}`]);

      await alerter.idle();
      await webhooks.idle();
      const incidents = await tdb.db.alertIncident.findMany();
      assert.equal(incidents.length, 1);
      assert.equal(incidents[0].openKey, `phone:${phone.id}:logged_out`, 'still open');
      assert.ok(incidents[0].notifiedAt);
      assert.equal(smtp.mails.length, 1, 'one mail');
    } finally {
      await al.close();
    }
  });

  test(`${provider}: an auto-closed phone alerts once (two nodes see it), and its "resolved" notice goes out once when it opens again`, async (t) => {
    const { tdb, manager, sim, rec } = await startEngineHarness(t, { provider });
    const al = await alertsFor(tdb.db, manager);
    const { smtp, make } = al;
    try {
      // Two alerters on one database, both fed every event: as two nodes that both heard of it.
      const a = make();
      const b = make();
      const offs = [manager.subscribe((e) => a.onEngineEvent(e)), manager.subscribe((e) => b.onEngineEvent(e))];
      t.after(() => offs.forEach((off) => off()));
      const jid = '77051110002@s.whatsapp.net';
      const [phone] = await pairPhones(tdb.db, manager, sim, [jid]);
      let mark = rec.mark();
      await sim.inject(jid, { type: 'bad-mac', count: 3 });
      await rec.waitFor((e) => e.type === 'auto-closed', 30_000, mark);
      const alert = await smtp.waitFor((m) => m.subject.startsWith('[ALERT]'));
      assert.equal(alert.subject, '[ALERT] +77051110002 auto-closed');
      assert.match(alert.text, /Reason: Bad MAC limit reached \(3\/3\)/);
      assert.match(alert.text, new RegExp(`${BASE}/sessions/${phone.id}`));
      await Promise.all([a.idle(), b.idle()]);

      mark = rec.mark();
      await manager.start(phone.id);
      await rec.waitFor((e) => e.type === 'state' && e.state === 'open', 30_000, mark);
      const resolved = await smtp.waitFor((m) => m.subject.startsWith('[RESOLVED]'));
      assert.equal(resolved.subject, '[RESOLVED] +77051110002 auto-closed');
      // Opening again (a restart) finds nothing open: no second notice.
      mark = rec.mark();
      await manager.restartSession(phone.id);
      await rec.waitFor((e) => e.type === 'state' && e.state === 'open', 30_000, mark);
      await Promise.all([a.idle(), b.idle()]);
      assert.deepEqual(smtp.mails.map((m) => m.subject), ['[ALERT] +77051110002 auto-closed', '[RESOLVED] +77051110002 auto-closed']);
      const [row] = await tdb.db.alertIncident.findMany();
      assert.equal(row.openKey, null);
      assert.ok(row.resolvedAt && row.resolvedNotifiedAt);
    } finally {
      await al.close();
    }
  });
}

test('a storm: 200 phones logged out at once send one digest mail, not 200', async (t) => {
  const { tdb, manager, sim, rec } = await startEngineHarness(t, { provider: testProviders()[0] });
  const al = await alertsFor(tdb.db, manager, { ALERT_BATCH_MS: '3000' });
  const { smtp, make } = al;
  try {
    const alerter = make();
    const off = manager.subscribe((e) => alerter.onEngineEvent(e));
    t.after(off);
    const N = 200;
    const jids = Array.from({ length: N }, (_, i) => `7705222${String(i).padStart(4, '0')}@s.whatsapp.net`);
    const phones = await pairPhones(tdb.db, manager, sim, jids);
    const mark = rec.mark();
    await Promise.all(jids.map((jid) => sim.inject(jid, { type: 'logged-out' })));
    const ids = new Set(phones.map((p) => p.id));
    const out = new Set<number>();
    await rec.waitFor((e) => {
      if (e.type === 'state' && e.state === 'logged_out') out.add(e.phoneId);
      return out.size === ids.size;
    }, 60_000, mark);
    await alerter.idle();
    assert.equal(await tdb.db.alertIncident.count({ where: { kind: 'logged_out' } }), N, 'every phone has its incident');
    assert.equal(smtp.mails.length, 1, `one mail, got: ${smtp.mails.map((m) => m.subject).join(' | ')}`);
    const [digest] = smtp.mails;
    assert.equal(digest.subject, `[DIGEST] ${N} alerts at once (${N} firing)`);
    for (const p of phones) assert.ok(digest.text.includes(`${BASE}/sessions/${p.id}`), `the digest links phone ${p.id}`);
    } finally {
      await al.close();
    }
});
