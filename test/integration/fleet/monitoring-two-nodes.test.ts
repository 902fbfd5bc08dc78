// Issue 21.10 on a real fleet: the shipped Grafana dashboard and alert rules count a two-node fleet
// once. Two console processes on one PostgreSQL database share four paired phones (two each); each
// node's /api/metrics is scraped and both scrapes, labelled by instance as Prometheus would, are
// handed to promtool, which evaluates the dashboard's queries and the alert rules over them. When
// every node exported every phone, "Connected phones" read 8 for 4 phones.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startSimulator } from '../../../simulator';
import { createTestDatabase, testProviders } from '../../support/databases';
import { pairForNodes } from '../../support/pairing';
import { containBaileysRejections } from '../../support/contained-rejections';
import { eventually, fleetNodeEnv, killNodes, startNode, type FleetNodeProcess } from '../../support/fleet-nodes';
import { createToken } from '../../../lib/auth/tokens';
import { HEALTH_LEVELS } from '../../../lib/sessions/types';

const MONITORING = path.resolve(__dirname, '../../../docs/monitoring');
const PHONES = 4;

/** The `wa_*` samples of a scrape as promtool input series of one instance (the process metrics are per node by nature). */
function inputSeries(scrape: string, instance: string): { series: string; values: string }[] {
  const out: { series: string; values: string }[] = [];
  for (const line of scrape.split('\n')) {
    const m = /^(wa_(?!console_)[a-z0-9_]+)(\{([^}]*)\})? (\S+)$/.exec(line);
    if (!m) continue;
    const value = Number(m[4]);
    if (!Number.isFinite(value)) continue;
    const labels = [m[3], `instance="${instance}"`].filter(Boolean).join(',');
    // Constant over the test's 20 minutes: rates are 0, gauges what the node reported.
    out.push({ series: `${m[1]}{${labels}}`, values: `${value}+0x20` });
  }
  return out;
}

function promtool(args: string[], cwd: string) {
  const r = spawnSync('promtool', args, { encoding: 'utf8', cwd, timeout: 60_000 });
  if (r.error) throw new Error(`promtool is not available (${r.error.message}): install Debian's prometheus package (apt-get install prometheus), as scripts/test.sh does`);
  return { status: r.status, output: `${r.stdout}${r.stderr}` };
}

if (testProviders().includes('postgresql')) {
  test('two nodes: the dashboard and the alert rules, evaluated by promtool over both nodes\' scrapes, count each phone once', { timeout: 600_000 }, async (t) => {
    containBaileysRejections(t);
    const database = await createTestDatabase('postgresql');
    const sim = await startSimulator({ port: 0 });
    const nodes: FleetNodeProcess[] = [];
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'wa-console-promtool-'));
    t.after(async () => {
      await killNodes(nodes);
      await sim.close();
      await database.drop();
      fs.rmSync(dir, { recursive: true, force: true });
    });
    const db = database.db;
    const jids = Array.from({ length: PHONES }, (_, i) => `7790310${String(i).padStart(4, '0')}@s.whatsapp.net`);
    await pairForNodes(db, sim, jids, PHONES);
    const { token } = await createToken(db, { name: 'monitoring-test', scopes: ['read'] });

    // Two phones per node: a node holds at most NODE_CAPACITY.
    const env = { ...fleetNodeEnv({ databaseUrl: database.url, simUrl: sim.url, leaseTtlMs: 10_000 }), NODE_CAPACITY: String(PHONES / 2) };
    nodes.push(...(await Promise.all([startNode('mon_a', { ...env, NODE_ID: 'mon_a' }), startNode('mon_b', { ...env, NODE_ID: 'mon_b' })])));
    await eventually('every phone open with one connection, two on each node', async () => {
      const owners = await db.phoneOwner.findMany();
      const open = await db.organizationPhone.count({ where: { status: 'open' } });
      const conns = sim.phones().filter((p) => p.connections === 1).length;
      const perNode = ['mon_a', 'mon_b'].map((n) => owners.filter((o) => o.nodeId === n).length);
      return open === PHONES && conns === PHONES && perNode.every((c) => c === PHONES / 2) ? true : undefined;
    }, 300_000, 500);

    // One Bad MAC at one phone: the per-phone counter has one series with a value, on its owner.
    const hit = jids[0];
    await sim.inject(hit, { type: 'bad-mac' });
    const scrape = async (node: FleetNodeProcess) => {
      const res = await fetch(`${node.url}/api/metrics`, { headers: { authorization: `Bearer ${token}` } });
      assert.equal(res.status, 200);
      return res.text();
    };
    const scrapes = await eventually('the Bad MAC counted by its owner', async () => {
      const texts = await Promise.all(nodes.map(scrape));
      return texts.some((s) => new RegExp(`^wa_session_decrypt_errors\\{[^}]*phone_jid="${hit}"[^}]*kind="bad_mac"[^}]*\\} 1$`, 'm').test(s)) ? texts : undefined;
    }, 120_000, 500);

    // Each node exports its own phones only, and between them every phone.
    const phonesOf = (s: string) => new Set([...s.matchAll(/^wa_session_connected\{[^}]*phone_jid="([^"]+)"/gm)].map((m) => m[1]));
    const [onA, onB] = scrapes.map(phonesOf);
    assert.equal(onA.size, PHONES / 2, [...onA].join());
    assert.equal(onB.size, PHONES / 2, [...onB].join());
    assert.deepEqual([...onA, ...onB].sort(), [...jids].sort());

    // Each phone's health as the API tells it (every node's list shows the whole fleet).
    const list = (await (await fetch(`${nodes[0].url}/api/sessions`, { headers: { authorization: `Bearer ${token}` } })).json()) as { health: string }[];
    const byHealth = list.map((p) => p.health);
    assert.equal(byHealth.length, PHONES);

    const series = [...inputSeries(scrapes[0], 'mon_a'), ...inputSeries(scrapes[1], 'mon_b')];
    const alerts = [...fs.readFileSync(path.join(MONITORING, 'prometheus-alerts.yml'), 'utf8').matchAll(/^[ \t]*- alert: (\w+)/gm)].map((m) => m[1]);
    const exprTest = (expr: string, samples: { labels: string; value: number }[]) => ({ expr, eval_time: '10m', exp_samples: samples });
    const unit = {
      rule_files: [path.join(MONITORING, 'prometheus-alerts.yml')],
      evaluation_interval: '1m',
      tests: [{
        interval: '1m',
        input_series: series,
        promql_expr_test: [
          // The dashboard's panels, as shipped (docs/monitoring/grafana-dashboard.json).
          exprTest('sum(wa_session_connected)', [{ labels: '{}', value: PHONES }]),
          exprTest('sum(wa_session_health{level="critical"})', [{ labels: '{}', value: 0 }]),
          exprTest('sum by (level) (wa_session_health)', HEALTH_LEVELS.map((level) => ({ labels: `{level="${level}"}`, value: byHealth.filter((h) => h === level).length }))),
          exprTest('max(wa_monitor_connected_without_socket)', [{ labels: '{}', value: 0 }]),
          exprTest('max by (phone_jid, kind) (wa_session_decrypt_errors) > 0', [{ labels: `{kind="bad_mac", phone_jid="${hit}"}`, value: 1 }]),
          exprTest('sum(increase(wa_session_auto_closes_total[1h]))', [{ labels: '{}', value: 0 }]),
        ],
        // A healthy fleet raises no alert, whichever node a series came from.
        alert_rule_test: alerts.map((alertname) => ({ eval_time: '10m', alertname, exp_alerts: [] })),
      }],
    };
    // Every query above is one of the dashboard's: the test evaluates what is shipped.
    const dashboard = fs.readFileSync(path.join(MONITORING, 'grafana-dashboard.json'), 'utf8');
    for (const { expr } of unit.tests[0].promql_expr_test) assert.ok(dashboard.includes(JSON.stringify(expr).slice(1, -1)), `the dashboard queries ${expr}`);
    // JSON is YAML: promtool reads the file as written.
    const file = path.join(dir, 'two-nodes.test.yml');
    fs.writeFileSync(file, JSON.stringify(unit, null, 1));
    const r = promtool(['test', 'rules', file], dir);
    assert.equal(r.status, 0, r.output);
    assert.match(r.output, /SUCCESS/, r.output);
  });
}
