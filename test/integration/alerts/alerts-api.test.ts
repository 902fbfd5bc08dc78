// The Alerts API over HTTP against the built console (issue 26 item 7), on both databases: phones
// paired through the simulator, WhatsApp logging them out (a real incident), a real SMTP server on
// loopback and a webhook receiver. A muted phone's incident is recorded and sends no mail; the
// list filters by state and phone; acknowledging is recorded once; the test alert reaches the SMTP
// server and the webhook; readers may read and not act; every action is audited.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { startSimulator } from '../../../simulator';
import { startConsole } from '../../support/console-server';
import { testProviders } from '../../support/databases';
import { eventually } from '../../support/eventually';
import { startSmtpServer } from '../../support/smtp';
import { startWebhookReceiver } from '../../support/webhook-receiver';

type Json = Record<string, unknown>;
type Incident = { id: number; kind: string; state: string; phoneId: number; phone: string; notifiedAt: string | null; acknowledgedAt: string | null; acknowledgedBy: string | null; mutedUntil: string | null };

// The two databases run side by side: each test waits mostly for its own console to start.
describe('alerts API', { concurrency: true }, () => {
  for (const provider of testProviders()) {
    test(`${provider}: alerts API: incidents, mute, acknowledge, test alert`, async (t) => {
      const sim = await startSimulator({ port: 0 });
      const smtp = await startSmtpServer();
      const hook = await startWebhookReceiver();
      const server = await startConsole({
        provider,
        env: { WA_WEBSOCKET_URL: sim.url, SESSIONS_AUTOSTART: 'false', SMTP_URL: smtp.url, ALERT_EMAIL_TO: 'ops@example.com', ALERT_BATCH_MS: '200', ERROR_WEBHOOK_URL: hook.url },
      });
      t.after(async () => {
        await server.stop();
        await sim.close();
        await smtp.close();
        await hook.close();
      });
      const admin = `Bearer ${await server.createToken('admin')}`;
      const reader = `Bearer ${await server.createToken('read')}`;
      const api = async (method: string, path: string, body?: unknown, auth = admin) => {
        const res = await fetch(server.url + path, { method, headers: { authorization: auth, 'content-type': 'application/json' }, body: body === undefined ? undefined : JSON.stringify(body) });
        return { status: res.status, body: (await res.json()) as Json & Json[] };
      };
      const incidents = async (query: string, auth = reader) => (await api('GET', `/api/alerts/incidents?${query}`, undefined, auth)).body.items as unknown as Incident[];

      // Two phones of one organization, paired the real way (QR → scan).
      const base = provider === 'sqlite' ? 7705333 : 7705444;
      const numbers = [`${base}0001`, `${base}0002`];
      const phones: { id: number; organizationId: number }[] = [];
      for (const n of numbers) {
        const created = await api('POST', '/api/sessions', { organizationName: 'Alerting Org', phone: `+${n}` });
        assert.equal(created.status, 201, JSON.stringify(created.body));
        phones.push(created.body as unknown as { id: number; organizationId: number });
      }
      await Promise.all(phones.map(async (phone, i) => {
        const qr = await eventually('a QR code', async () => (await api('GET', `/api/sessions/${phone.id}/qr`)).body.qr as string | undefined);
        await sim.scan(`${numbers[i]}@s.whatsapp.net`, qr);
        await eventually('the phone open', async () => (await api('GET', `/api/sessions/${phone.id}`)).body.status === 'open');
      }));
      const [muted, loud] = phones;
      const org = loud.organizationId;

      // The organization's own recipient; readers may not see or change recipients.
      assert.equal((await api('PUT', `/api/organizations/${org}/alert-recipients`, { emails: ['Acme-Ops@example.com'] })).status, 200);
      assert.deepEqual((await api('GET', `/api/organizations/${org}/alert-recipients`)).body, { organizationId: org, emails: ['acme-ops@example.com'] });
      assert.equal((await api('GET', `/api/organizations/${org}/alert-recipients`, undefined, reader)).status, 403);
      assert.equal((await api('PUT', `/api/organizations/${org}/alert-recipients`, { emails: ['not an address'] })).status, 400);

      // Mute the first phone for an hour (admins only); readers see the mute.
      assert.equal((await api('PUT', `/api/alerts/mutes/${muted.id}`, { minutes: 60 }, reader)).status, 403);
      const mute = await api('PUT', `/api/alerts/mutes/${muted.id}`, { minutes: 60 });
      assert.equal(mute.status, 200, JSON.stringify(mute.body));
      const until = Date.parse(String(mute.body.mutedUntil));
      assert.ok(until > Date.now() + 55 * 60_000 && until <= Date.now() + 60 * 60_000, `muted for an hour: ${mute.body.mutedUntil}`);
      assert.deepEqual(((await api('GET', '/api/alerts/mutes', undefined, reader)).body as unknown as { phoneId: number }[]).map((m) => m.phoneId), [muted.id]);
      assert.equal((await api('PUT', '/api/alerts/mutes/999999', { minutes: 60 })).status, 404);

      // WhatsApp logs the muted phone out: its incident is recorded (and shown as muted) …
      await sim.inject(`${numbers[0]}@s.whatsapp.net`, { type: 'logged-out' });
      const [silent] = await eventually('the muted phone\'s incident', async () => {
        const list = await incidents(`state=open&phoneId=${muted.id}`);
        return list.length ? list : null;
      });
      assert.equal(silent.kind, 'logged_out');
      assert.ok(silent.mutedUntil);
      // … then the other phone: its mails (to ALERT_EMAIL_TO and to the organization's recipient) are
      // sent after the muted phone's incident was decided (one alerter, in order), and they are the only ones.
      await sim.inject(`${numbers[1]}@s.whatsapp.net`, { type: 'logged-out' });
      const subject = `[ALERT] +${numbers[1]} logged out`;
      await smtp.waitFor((m) => m.subject === subject && m.to.includes('ops@example.com'));
      await smtp.waitFor((m) => m.subject === subject && m.to.includes('acme-ops@example.com'));
      assert.deepEqual(smtp.mails.map((m) => m.subject), [subject, subject], 'no mail for the muted phone');

      // The list: both open, newest first; filtered by phone; state=resolved has none.
      const open = await incidents('state=open');
      assert.deepEqual(open.map((i) => [i.phoneId, i.kind]), [[loud.id, 'logged_out'], [muted.id, 'logged_out']]);
      const [incident] = await eventually('the alert marked as sent', async () => {
        const list = await incidents(`phoneId=${loud.id}`);
        return list[0]?.notifiedAt ? list : null;
      });
      assert.equal(incident.phone, `+${numbers[1]}`);
      assert.deepEqual(await incidents('state=resolved'), []);
      assert.equal((await incidents('limit=1')).length, 1);
      assert.equal((await api('GET', '/api/alerts/incidents?state=closed', undefined, reader)).status, 400);

      // Acknowledge: admins only, recorded once, 404 for an unknown incident.
      assert.equal((await api('POST', `/api/alerts/incidents/${incident.id}/acknowledge`, undefined, reader)).status, 403);
      const ack = await api('POST', `/api/alerts/incidents/${incident.id}/acknowledge`);
      assert.equal(ack.status, 200, JSON.stringify(ack.body));
      assert.ok(ack.body.acknowledgedAt && String(ack.body.acknowledgedBy).startsWith('test-admin'));
      assert.equal((await api('POST', `/api/alerts/incidents/${incident.id}/acknowledge`)).body.acknowledgedAt, ack.body.acknowledgedAt, 'the first acknowledgement is kept');
      assert.equal((await api('POST', '/api/alerts/incidents/999999/acknowledge')).status, 404);

      // Unmute.
      assert.equal((await api('DELETE', `/api/alerts/mutes/${muted.id}`)).status, 200);
      assert.deepEqual((await api('GET', '/api/alerts/mutes')).body, []);

      // A test alert to the global audience reaches the SMTP server and the webhook; to the
      // organization, its recipient (it has no webhook endpoint of its own).
      const sent = await api('POST', '/api/alerts/test', {});
      assert.deepEqual(sent.body, { email: 'sent', webhook: 'sent' });
      const testMail = await smtp.waitFor((m) => m.subject === '[TEST] WhatsApp console alert');
      assert.deepEqual(testMail.to, ['ops@example.com']);
      assert.match(testMail.text, new RegExp(`${server.url}/alerts`));
      const delivered = await hook.waitFor((r) => r.headers['x-webhook-event'] === 'alert' && (r.json as Json).test === true);
      assert.equal((delivered.json as Json).type, 'alert');
      assert.deepEqual((await api('POST', '/api/alerts/test', { organizationId: org })).body, { email: 'sent', webhook: 'no_recipients' });
      await smtp.waitFor((m) => m.subject === '[TEST] WhatsApp console alert' && m.to.includes('acme-ops@example.com'));
      assert.equal((await api('POST', '/api/alerts/test', {}, reader)).status, 403);
      assert.equal((await api('POST', '/api/alerts/test', { organizationId: 999999 })).status, 404);

      // Every action is in the audit log.
      const audit = (await api('GET', '/api/audit?limit=50')).body.items as unknown as { action: string; targetType: string | null; targetId: string | null }[];
      const actions = audit.filter((a) => a.action.startsWith('alert.') || a.action === 'organization.alert_recipients').map((a) => `${a.action} ${a.targetType}:${a.targetId}`);
      assert.deepEqual(actions.sort(), [
        `alert.acknowledge alert-incident:${incident.id}`,
        `alert.acknowledge alert-incident:${incident.id}`,
        `alert.mute phone:${muted.id}`,
        'alert.test null:null',
        `alert.test organization:${org}`,
        `alert.unmute phone:${muted.id}`,
        `organization.alert_recipients organization:${org}`,
      ].sort());
    });
  }
});
