// /api/metrics passes `promtool check metrics` on a live console, label values are spelled one way
// and known ones exist from the start; docs/monitoring's alert rules pass `promtool check rules`
// and their own `promtool test rules`, and the Grafana dashboard queries only metrics that exist.
// promtool comes from Debian's `prometheus` package (scripts/test.sh installs it): without it this
// test fails, it does not skip.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { startSimulator } from '../../../simulator';
import { startConsole } from '../../support/console-server';
import { DECRYPT_KINDS, kindLabel } from '../../../lib/metrics';

const ROOT = path.resolve(__dirname, '../../..');
const MONITORING = path.join(ROOT, 'docs/monitoring');

function promtool(args: string[], input?: string) {
  const r = spawnSync('promtool', args, { input, encoding: 'utf8', cwd: MONITORING, timeout: 60_000 });
  if (r.error) throw new Error(`promtool is not available (${r.error.message}): install Debian's prometheus package (apt-get install prometheus), as scripts/test.sh does`);
  return { status: r.status, output: `${r.stdout}${r.stderr}` };
}

test('monitoring: live metrics pass promtool; alert rules and dashboard match them', { timeout: 180_000 }, async (t) => {
  const sim = await startSimulator({ port: 0 });
  const server = await startConsole({ env: { WA_WEBSOCKET_URL: sim.url } });
  t.after(async () => {
    await server.stop();
    await sim.close();
  });
  const auth = { authorization: `Bearer ${await server.createToken('read')}`, 'content-type': 'application/json' };
  const admin = { authorization: `Bearer ${await server.createToken('admin')}`, 'content-type': 'application/json' };
  // A phone that is pairing: the per-phone gauges have series.
  const added = await fetch(`${server.url}/api/sessions`, { method: 'POST', headers: admin, body: JSON.stringify({ organizationName: 'Metrics', phone: '77051237001' }) });
  assert.equal(added.status, 201, await added.text());
  const res = await fetch(`${server.url}/api/metrics`, { headers: auth });
  assert.equal(res.status, 200);
  const text = await res.text();
  assert.match(text, /^wa_session_connected\{/m);

  const types = new Map<string, string>();
  for (const m of text.matchAll(/^# TYPE (\S+) (\S+)$/gm)) types.set(m[1], m[2]);

  await t.test('promtool check metrics: no problems', () => {
    const r = promtool(['check', 'metrics'], text);
    assert.equal(r.status, 0, r.output);
    assert.equal(r.output.trim(), '', r.output);
  });

  await t.test('only counters are named *_total', () => {
    const wrong = [...types].filter(([name, type]) => name.endsWith('_total') && type !== 'counter');
    assert.deepEqual(wrong, []);
  });

  await t.test('decryption kinds: one spelling, every kind initialised to 0', () => {
    const labelValues = (metric: string) => [...text.matchAll(new RegExp(`^${metric}\\{[^}]*kind="([^"]+)"`, 'gm'))].map((m) => m[1]);
    const counted = new Set(labelValues('wa_decrypt_failures_total'));
    assert.deepEqual([...counted].sort(), DECRYPT_KINDS.map(kindLabel).sort());
    for (const kind of counted) assert.match(text, new RegExp(`^wa_decrypt_failures_total\\{kind="${kind}"\\} 0$`, 'm'));
    const perPhone = new Set(labelValues('wa_session_decrypt_errors'));
    assert.deepEqual([...perPhone].sort(), ['bad_decrypt', 'bad_mac']);
    for (const kind of perPhone) assert.ok(counted.has(kind), `${kind} is spelled the same on both metrics`);
    assert.doesNotMatch(text, /^wa_(?!console_)\w+\{[^}]*\btype="/m, 'no second label name for the kind');
  });

  await t.test('alert rules: promtool check rules and promtool test rules', () => {
    const check = promtool(['check', 'rules', 'prometheus-alerts.yml']);
    assert.equal(check.status, 0, check.output);
    const rules = fs.readFileSync(path.join(MONITORING, 'prometheus-alerts.yml'), 'utf8');
    const alerts = [...rules.matchAll(/^[ \t]*- alert: (\w+)/gm)].map((m) => m[1]);
    assert.ok(alerts.length >= 4);
    assert.match(check.output, new RegExp(`SUCCESS: ${alerts.length} rules found`));
    const unit = promtool(['test', 'rules', 'prometheus-alerts.test.yml']);
    assert.equal(unit.status, 0, unit.output);
    // Every rule has a unit test: an alert nobody ever saw fire is a guess.
    const tests = fs.readFileSync(path.join(MONITORING, 'prometheus-alerts.test.yml'), 'utf8');
    for (const name of alerts) assert.match(tests, new RegExp(`alertname: ${name}\\b`), `prometheus-alerts.test.yml tests ${name}`);
    for (const name of new Set(rules.match(/\bwa_[a-z0-9_]+/g))) assert.ok(types.has(name), `alert rules name ${name}, which /api/metrics does not export`);
  });

  await t.test('the Grafana dashboard queries only metrics that exist', () => {
    const dashboard = JSON.parse(fs.readFileSync(path.join(MONITORING, 'grafana-dashboard.json'), 'utf8')) as { panels: { title: string; targets: { expr: string }[] }[] };
    assert.ok(dashboard.panels.length >= 8);
    const exported = (name: string) => types.has(name) || types.has(name.replace(/_(bucket|sum|count)$/, ''));
    const used = new Set<string>();
    for (const panel of dashboard.panels) {
      assert.ok(panel.targets.length > 0, `${panel.title} has a query`);
      for (const target of panel.targets) for (const name of target.expr.match(/\bwa_[a-z0-9_]+/g) ?? []) used.add(name);
    }
    assert.deepEqual([...used].filter((n) => !exported(n)), []);
    for (const name of ['wa_session_health', 'wa_decrypt_failures_total', 'wa_session_auto_closes_total', 'wa_webhook_failures_total', 'wa_monitor_connected_without_socket']) {
      assert.ok(used.has(name), `the dashboard shows ${name}`);
    }
  });

  await t.test('a fleet counts once: gauges every node reports fleet-wide are never summed or alerted per node (issue 21.10)', () => {
    const rules = fs.readFileSync(path.join(MONITORING, 'prometheus-alerts.yml'), 'utf8');
    const dashboard = fs.readFileSync(path.join(MONITORING, 'grafana-dashboard.json'), 'utf8');
    const exprs = [...(rules.match(/^\s*expr: .*$/gm) ?? []).map((l) => l.replace(/^\s*expr: /, '')), ...[...dashboard.matchAll(/"expr": "((?:[^"\\]|\\.)*)"/g)].map((m) => m[1])];
    for (const name of ['wa_monitor_connected_without_socket', 'wa_webhook_deliveries']) {
      for (const expr of exprs.filter((e) => e.includes(name))) assert.match(expr, new RegExp(`\\b(max|min)(\\s+by\\s*\\([^)]*\\))?\\s*\\(\\s*${name}\\b`), `${name} is reported fleet-wide by every node: ${expr}`);
    }
  });
});
