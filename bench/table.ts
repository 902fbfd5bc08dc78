// The README's benchmark table, made from bench/results.json and nothing else.
//   npx tsx bench/table.ts           prints it
//   npx tsx bench/table.ts --write   replaces the part of README.md between the bench-table markers
import fs from 'node:fs';
import path from 'node:path';

/* eslint-disable @typescript-eslint/no-explicit-any -- results.json is read as plain JSON */
type Any = any;

const START = '<!-- bench-table:start (made by `npx tsx bench/table.ts --write` from bench/results.json; do not edit) -->';
const END = '<!-- bench-table:end -->';

const n0 = (x: number) => Math.round(x).toLocaleString('en-US');
const s1 = (ms: number) => `${(ms / 1000).toFixed(2)} s`;
const verdict = (ok: boolean) => (ok ? 'met' : '**missed**');
const spreadOf = (side: Any, k: string, fmt: (x: number) => string) => `${fmt(side.spread[k].min)}–${fmt(side.spread[k].max)}`;

/** The density rows of one engine: `label` prefixes each row's name ('' for baileys-6, as before engines were compared). */
function engineDensityRows(rows: Any[], idleMs: number, label: string, bareName: string): string[] {
  const out: string[] = [];
  if (!rows.length) return out;
  const samples = rows[0]?.samples;
  const targetN = (n: number) => n >= 500;
  for (const r of rows) {
    const t = r.ratio.time;
    out.push(
      `| 1. ${label}${n0(r.n)} phones: time until all open (login with saved creds; median of ${samples}, range) | ${s1(r.manager.allOpenMs)} (${spreadOf(r.manager, 'allOpenMs', s1)}) | ${bareName} ${s1(r.bare.allOpenMs)} (${spreadOf(r.bare, 'allOpenMs', s1)}) | ${t} | ${targetN(r.n) ? `≤ 1.15 — ${verdict(t <= 1.15)}` : 'reported'} |`,
    );
  }
  const mb = (x: number) => x.toFixed(2);
  const list = (f: (r: Any) => string) => rows.map(f).join(' / ');
  const ns = rows.map((r) => n0(r.n)).join(' / ');
  const big = rows.filter((r) => targetN(r.n));
  // Older results (before the login's CPU time was recorded) have no such figure.
  if (rows.every((r) => r.manager.loginCpuMs !== undefined)) {
    out.push(
      `| 1. ${label}CPU time of the login (until all open; what a busy machine does not change), N = ${ns} (median) | ${list((r) => s1(r.manager.loginCpuMs))} | ${list((r) => s1(r.bare.loginCpuMs))} | ${list((r) => String(r.ratio.loginCpu))} | reported |`,
    );
  }
  out.push(
    `| 1. ${label}RSS per session, N = ${ns} (median) | ${list((r) => mb(r.manager.perSessionMb))} MB | ${list((r) => mb(r.bare.perSessionMb))} MB | ${list((r) => String(r.ratio.memory))} | ${big.length ? `≤ 1.15 at ${big.map((r) => n0(r.n)).join(' and ')} — ${verdict(big.every((r) => r.ratio.memory <= 1.15))}` : 'reported (target from N = 500)'} |`,
  );
  out.push(
    `| 1. ${label}live JS heap per session after GC, N = ${ns} | ${list((r) => r.manager.heapPerSessionMb.toFixed(3))} MB | ${list((r) => r.bare.heapPerSessionMb.toFixed(3))} MB | ${list((r) => String(r.ratio.heap))} | reported |`,
  );
  out.push(
    `| 1. ${label}idle CPU per session per minute, N = ${ns} (${idleMs / 1000} s window) | ${list((r) => r.manager.idleCpuMsPerSessionPerMin.toFixed(1))} ms | ${list((r) => r.bare.idleCpuMsPerSessionPerMin.toFixed(1))} ms | ${list((r) => String(r.ratio.idleCpu))} | ≤ 1.25 — ${verdict(rows.every((r) => r.ratio.idleCpu <= 1.25))} |`,
  );
  const last = rows.at(-1);
  if (last) {
    out.push(
      `| 1. ${label}event-loop delay p99 idle / at 50 msg/s, N = ${n0(last.n)} | ${last.manager.eldIdleP99Ms} / ${last.manager.eldTrafficP99Ms} ms | ${last.bare.eldIdleP99Ms} / ${last.bare.eldTrafficP99Ms} ms | | reported |`,
    );
  }
  return out;
}

function densityRows(sec: Any): string[] {
  const out = engineDensityRows(sec.result.rows, sec.result.idleMs, '', 'bare Baileys + files');
  for (const r of (sec.result.rows as Any[]).filter((x) => x.fullStack)) {
    const f = r.fullStack;
    // Sampled sections give medians with ranges; an older one had a single run.
    const rg = (k: string, fmt: (x: number) => string) => (f.range?.[k] ? ` (${f.range[k].map(fmt).join('–')})` : '');
    const how = f.samples ? `median of ${f.samples} runs, range` : 'one run';
    out.push(
      `| 1. full stack: the console as \`npm start\` runs it (Next + manager, API, one open event stream) holding ${n0(f.n)} phones (${how}): all open from process start (boot starts ${f.startRatePerSec ?? 50} phones a second, \`START_RATE_PER_SEC\`, so ${n0(f.n)} take at least ${Math.round(f.n / (f.startRatePerSec ?? 50))} s by design) / RSS / idle CPU per session per minute / event-loop p99 idle | ${s1(f.allOpenMs)}${rg('allOpenMs', s1)} / ${n0(f.rssMb)}${rg('rssMb', n0)} MB / ${f.idleCpuMsPerSessionPerMin.toFixed(1)}${rg('idleCpuMsPerSessionPerMin', (x) => x.toFixed(1))} ms / ${f.eldIdleP99Ms}${rg('eldIdleP99Ms', String)} ms | manager only (median): ${s1(r.manager.allOpenMs)} / ${n0(r.manager.rssMb)} MB / ${r.manager.idleCpuMsPerSessionPerMin.toFixed(1)} ms / ${r.manager.eldIdleP99Ms} ms | RSS ${(f.rssMb / r.manager.rssMb).toFixed(2)} | reported |`,
    );
  }
  // Engines besides baileys-6, each against bare Baileys of its own version (older sections have none).
  for (const [engine, e] of Object.entries<Any>(sec.result.engines ?? {})) {
    if (e.rows.length) out.push(...engineDensityRows(e.rows, sec.result.idleMs, `${engine}: `, `bare ${engine.replace('baileys-', 'Baileys ')} + files`));
  }
  return out;
}

function keyStoreRows(sec: Any): string[] {
  const out: string[] = [];
  const targets: Record<number, [number, number]> = { 1: [1.5, 0.8], 100: [2, 1.2] };
  for (const r of sec.result.rows as Any[]) {
    const p = r.phones;
    const at = p === 1 ? '1 phone' : `${p} phones at once`;
    const range = (side: Any, k: string) => (side[k].opsPerSecRange ? ` (${side[k].opsPerSecRange.map(n0).join('–')})` : '');
    const f = (side: Any, k: string) => `${n0(side[k].opsPerSec)}/s${range(side, k)}, p99 ${side[k].p99Ms.toFixed(1)} ms`;
    const tg = targets[p];
    const flow = r.ratio.flow;
    out.push(
      `| 2. key store, message flow, ${at} (ops/s median of ${sec.result.samples ?? 1}, range) | SQLite ${f(r.sqlite, 'flow')}; PostgreSQL ${f(r.postgresql, 'flow')} | file store + Baileys cache ${f(r.file, 'flow')} | ${flow.sqliteVsFile} / ${flow.postgresqlVsFile} | ${tg ? `≥ ${tg[0]}× / ≥ ${tg[1]}× — ${verdict(flow.sqliteVsFile >= tg[0])} / ${verdict(flow.postgresqlVsFile >= tg[1])}` : 'reported'} |`,
    );
    out.push(`| 2. … writes only, ${at} | SQLite ${f(r.sqlite, 'writes')}; PostgreSQL ${f(r.postgresql, 'writes')} | ${f(r.file, 'writes')} | ${r.ratio.writes.sqliteVsFile} / ${r.ratio.writes.postgresqlVsFile} | reported |`);
    const reads = (side: Any) => `${n0(side.coldReads.opsPerSec)}/s (${n0(side.coldReads.backingReads)} backing reads), warm ${n0(side.warmReads.opsPerSec)}/s (${n0(side.warmReads.backingReads)})`;
    out.push(
      `| 2. … reads after a restart (cold), then again (warm), ${at} | SQLite ${reads(r.sqlite)}; PostgreSQL ${reads(r.postgresql)} | ${reads(r.file)} | ${r.ratio.coldReads.sqliteVsFile} / ${r.ratio.coldReads.postgresqlVsFile} (cold) | reported |`,
    );
  }
  return out;
}

function apiRows(sec: Any): string[] {
  const res = sec.result;
  // Sections with samples show medians and their ranges; older ones had one run per route.
  const range = (xs: number[] | undefined, fmt: (x: number) => string) => (xs ? ` (${xs.map(fmt).join('–')})` : '');
  const cell = (x: Any) => `${n0(x.rps)}${range(x.rpsRange, n0)} req/s, p50 ${x.p50Ms} ms, p99 ${x.p99Ms}${range(x.p99Range, String)} ms${x.non2xx ? `, ${x.non2xx} non-2xx` : ''}`;
  const samples = res.samples ? `, median of ${res.samples} samples per route, order alternating` : ', one run per route';
  const cond = (r: Any) => `${n0(r.rows)} rows, ${res.open} open, ${r.dropsPerSec} drops/s (${r.stateEventsPerSec} state events/s), ${res.connections} connections × ${res.seconds} s${samples}`;
  if (res.rows.some((r: Any) => r.baseline)) {
    // Issue 28.3/28.4: every route against a bare route handler of the same server and run.
    const bare = (r: Any) => `bare route handler \`GET /api/bench-baseline\` ${cell(r.baseline)}`;
    const ratio = (x: Any) => (x.median === null ? 'n/a (baseline answered nothing)' : `${x.median}${range(x.range, String)}`);
    return (res.rows as Any[]).flatMap((r) => [
      `| 3. authenticated \`GET /api/sessions/:id/stats\`, ${cond(r)} | ${cell(r.stats)} | ${bare(r)} | ${ratio(r.ratio.stats)} | ≥ 0.7 — ${verdict(r.ratio.stats.median >= 0.7)} |`,
      `| 3. authenticated \`GET /api/sessions/:id\`, ${cond(r)} | ${cell(r.phone)} | ${bare(r)} | ${ratio(r.ratio.phone)} | ≥ 0.7 — ${verdict(r.ratio.phone.median >= 0.7)} |`,
      `| 3. \`GET /api/sessions${res.paged ? res.listQuery : ''}\`${res.paged ? ' (one page)' : ' (whole list)'}, ${cond(r)} | ${cell(r.list)} | ${bare(r)} | ${ratio(r.ratio.list)} | p99 < 50 ms — ${verdict(r.list.p99Ms < 50 && r.list.non2xx === 0)} |`,
      ...(r.wholeList ? [`| 3. \`GET /api/sessions\` (whole list, plain array, streamed), ${cond(r)} | ${cell(r.wholeList)} | ${bare(r)} | ${ratio(r.ratio.wholeList)} | reported |`] : []),
    ]);
  }
  const base = (r: Any) => `authenticated \`GET /api/sessions/:id/stats\` ${n0(r.stats.rps)}${range(r.stats.rpsRange, n0)} req/s, p99 ${r.stats.p99Ms}${range(r.stats.p99Range, String)} ms`;
  return (res.rows as Any[]).flatMap((r) => [
    `| 3. \`GET /api/sessions${res.paged ? res.listQuery : ''}\`${res.paged ? ' (one page)' : ' (whole list)'}, ${cond(r)} | ${cell(r.list)} | ${base(r)} | ${(r.list.rps / r.stats.rps).toFixed(2)} | p99 < 50 ms — ${verdict(r.list.p99Ms < 50 && r.list.non2xx === 0)} |`,
    ...(r.wholeList ? [`| 3. \`GET /api/sessions\` (whole list, plain array), ${cond(r)} | ${cell(r.wholeList)} | ${base(r)} | ${(r.wholeList.rps / r.stats.rps).toFixed(2)} | reported |`] : []),
  ]);
}

function browserRows(sec: Any): string[] {
  const r = sec.result;
  return [
    `| 4. bad-mac fault at the simulator → counter changes in the browser (median of ${r.reps}) | ${r.faultToCounterMs.median} ms | | | < 500 ms — ${verdict(r.faultToCounterMs.median < 500)} |`,
    `| 4. click Restart → row connected again (median of ${r.reps}) | ${r.restartToConnectedMs.median} ms | | | < 1 s — ${verdict(r.restartToConnectedMs.median < 1000)} |`,
  ];
}

function fleetRows(sec: Any): string[] {
  const out: string[] = [];
  const bus = sec.result.bus;
  if (bus) {
    const ver = (v: string | undefined) => (v ? ` ${v}` : '');
    const side = (x: Any) => `${n0(x.flood.eventsPerSec)} events/s (${x.flood.eventsPerSecRange.map(n0).join('–')}), p99 ${x.flood.p99Ms} ms; at ${n0(x.paced.eventsPerSec)}/s p50 ${x.paced.p50Ms} ms, p99 ${x.paced.p99Ms} ms`;
    out.push(
      `| 5. fleet bus: events delivered per second, one publisher → 3 subscriber node processes, batched as the fleet sends them (${n0(bus.eventsPerSample)} events per sample, median of ${bus.samples}, range); latency at a steady rate | PostgreSQL${ver(bus.postgresql.server?.server_version)} LISTEN/NOTIFY (used) ${side(bus.postgresql)} | NATS core${ver(bus.nats.server?.version)} ${side(bus.nats)} | ${(bus.postgresql.flood.eventsPerSec / bus.nats.flood.eventsPerSec).toFixed(2)} | reported |`,
    );
  }
  const f = sec.result.failover;
  if (f) {
    const fo = f.failover;
    // Sampled sections: every moved phone of every sample pooled, and the range of the per-sample
    // medians; an older section had one SIGKILL (its p50, p99 and max are the few phones of one run).
    const foHow = fo.samples ? `${fo.samples} samples, ${fo.phonesMoved} phones moved in all; per-sample p50 ${fo.p50Range.map(s1).join('–')}` : `one sample, ${fo.phonesMoved} of ${f.phones} phones`;
    out.push(
      `| 5. fleet failover: SIGKILL the node with the most phones (${foHow}; 3 nodes, lease ${f.settings.LEASE_TTL_MS / 1000} s) → each phone open on another node, p50 / p99 / max | ${s1(fo.p50Ms)} / ${s1(fo.p99Ms)} / ${s1(fo.maxMs)} | | | p99 < 3 s (issue 28.1: the dead node's database session ends, no wait for the lease) — ${verdict(fo.p99Ms < 3000)} |`,
    );
    const pt = f.partition;
    if (pt) {
      out.push(
        `| 5. fleet partition: one node's database link goes silent (a TCP proxy forwards nothing) while its WhatsApp sockets stay up → each of its ${pt.phonesMoved} phones open on another node, p50 / p99 / max (the lease path) | ${s1(pt.p50Ms)} / ${s1(pt.p99Ms)} / ${s1(pt.maxMs)}, ${pt.overlaps} overlaps | | | no double ownership (issue 28.2) — ${verdict(pt.overlaps === 0)} |`,
      );
    }
    const r = f.rolling;
    // A drained node that held no phones moved none: it has no move time.
    const rollingCell = r.samples
      ? `${s1(r.totalMs)} (${r.totalRange.map(s1).join('–')}; median of ${r.samples}), phones of a drained node open elsewhere in ${r.movedMs === null ? '—' : `${s1(r.movedMs)} (${r.movedRange.map(s1).join('–')})`}${r.drainsWithoutPhones ? `; ${r.drainsWithoutPhones} drain${r.drainsWithoutPhones === 1 ? '' : 's'} of a node with no phones not counted` : ''}`
      : `${s1(r.totalMs)} (one sample; phones of a drained node open elsewhere in ${r.drains.filter((d: Any) => d.phones > 0).map((d: Any) => s1(d.movedMs)).join(' / ')}${r.drains.some((d: Any) => d.phones === 0) ? `; ${r.drains.filter((d: Any) => d.phones === 0).length} drained node with no phones: no move time` : ''})`;
    out.push(`| 5. fleet rolling restart: SIGTERM each of 3 nodes in turn and start it again → all ${f.phones} phones open (${f.overlaps} overlaps, ${f.rePairings} re-pairings) | ${rollingCell} | | | reported |`);
  }
  return out;
}

function ui10kRows(sec: Any): string[] {
  const r = sec.result;
  const at = `${n0(r.phones)} phones (${n0(r.live)} live)`;
  const l = r.load;
  return [
    `| ui-10k. ${at}: first page interactive (rows + live stream, median of ${r.firstPageInteractiveMs.all.length}) | ${s1(r.firstPageInteractiveMs.median)}, ${n0(r.firstPage.domElements)} DOM elements, ${n0(r.firstPage.pageHeightPx)} px | | | < 1.5 s — ${verdict(r.firstPageInteractiveMs.median < 1500)} |`,
    `| ui-10k. search (type → filtered page) / sort (median of ${r.searchMs.all.length}) | ${r.searchMs.median} / ${r.sortMs.median} ms | | | reported |`,
    `| ui-10k. one open tab while ${r.changesPerSecond} phones change state per second (${r.seconds} s) | ${(l.bytesPerMinute.total / 1e6).toFixed(1)} MB/min (stream ${(l.bytesPerMinute.stream / 1e6).toFixed(1)}), ${n0(l.eventsPerMinute)} events/min, ${l.streamBytesPerEvent} B per event, ${l.requestsPerMinute.list} list and ${l.requestsPerMinute.other} other requests/min | | | proportional to events (no list re-fetch) — ${verdict(l.requestsPerMinute.list === 0)} |`,
    `| ui-10k. stream event → row updated on screen (p50 / p95, ${r.eventToRowMs.samples} samples) | ${r.eventToRowMs.median} / ${r.eventToRowMs.p95} ms${r.eventToTabMs ? ` (in the tab after ${r.eventToTabMs.median} / ${r.eventToTabMs.p95} ms; tab's main thread busy ${Math.round(r.mainThread.taskShare * 100)} %)` : ''} | | | p95 < 300 ms — ${verdict(r.eventToRowMs.p95 !== null && r.eventToRowMs.p95 < 300)} |`,
  ];
}

function healthRows(sec: Any): string[] {
  const r = sec.result;
  const out: string[] = [];
  if (r.probe) {
    const p = r.probe;
    if (p.probeCpuMsPerPhonePerMin !== undefined) {
      out.push(
        `| health. CPU per phone per minute, ${n0(p.phones)} real phones, the probe every ${p.probeIntervalMs / 1000} s (${p.probeRatePerSec}/s) against none, same run (${p.samplesMsPerMin.without.length} windows of ${p.windowMs / 1000} s each, median) | with the probe: ${p.cpuMsPerPhonePerMinWithProbe} ms; the probe itself ${p.probeCpuMsPerPhonePerMin} ms (${p.cpuUsPerProbe} µs per probe) | without: ${p.cpuMsPerPhonePerMinWithout} ms | ${(p.cpuMsPerPhonePerMinWithProbe / p.cpuMsPerPhonePerMinWithout).toFixed(2)} | reported |`,
      );
    } else {
      // Results from before the bench ran 2,000 phones: 200 phones at 2,000 phones' probe rate.
      out.push(
        `| health. liveness probe at 2,000 phones' rate (${p.probeRatePerSec}/s, ${p.phones} real phones; CPU per phone per minute, median) | ${p.probeCpuMsPerPhonePerMinAt2000} ms (${p.cpuUsPerProbe} µs per probe) | without the probe: ${p.cpuMsPerMinWithout} ms/min for ${p.phones} phones, with: ${p.cpuMsPerMinWithProbe} | | reported |`,
      );
    }
  }
  if (r.history) {
    const h = r.history;
    out.push(
      `| health. history per phone per day (PostgreSQL / SQLite, indexes included) | steady: ${h.postgresql.bytesPerPhonePerDaySteady} / ${h.sqlite.bytesPerPhonePerDaySteady} B; 3 drops: ${h.postgresql.bytesPerPhonePerDay3Drops} / ${h.sqlite.bytesPerPhonePerDay3Drops} B | | | reported |`,
    );
  }
  return out;
}

function authStormRows(sec: Any): string[] {
  const r = sec.result;
  return [
    `| auth-storm. API p50 while 16 addresses sign in without pause (median of ${r.runs.length} samples, range ${r.ratioMin}–${r.ratioMax}×) | ${r.stormP50MsMedian} ms | quiet: ${r.quietP50MsMedian} ms | ${r.ratioMedian}× | ≤ 2× — ${verdict(r.ratioMedian <= 2)} |`,
  ];
}

function messagesRows(sec: Any): string[] {
  const r = sec.result;
  const row = (x: Any) =>
    `${n0(x.ackedPerSec)} msg/s acked, ${n0(x.deliveredPerSec)} delivered; accept p50 / p99 ${x.acceptP50Ms} / ${x.acceptP99Ms} ms; submit → delivered p50 ${x.submitToDeliveredP50Ms} ms (queued behind the batch)${x.consoleCpuMsPerMessage === null ? '' : `; console CPU ${x.consoleCpuMsPerMessage} ms per message`}`;
  return [
    `| messages. ${n0(r.onePhone.messages)} texts through one phone, all submitted at once (pace off) | ${row(r.onePhone)} | | | reported |`,
    `| messages. ${n0(r.fourPhones.messages)} texts through 4 phones, all submitted at once (pace off) | ${row(r.fourPhones)} | | | reported |`,
    `| messages. a lone message (one at a time, ${r.lone.messages}): submit → server ack / → delivered p50 | ${r.lone.submitToAckP50Ms} / ${r.lone.submitToDeliveredP50Ms} ms | | | reported |`,
    ...manyRows(r.manyPhones),
    ...(r.inbound
      ? [
          `| messages. inbound: ${n0(r.inbound.messages)} texts from contacts to ${n0(r.inbound.phones)} phones at ${n0(r.inbound.targetPerSec)}/s: contact send → webhook delivered p50 / p99 | ${r.inbound.sendToWebhookP50Ms} / ${r.inbound.sendToWebhookP99Ms} ms; sent at ${n0(r.inbound.sentPerSec)}/s, webhooks at ${n0(r.inbound.webhookPerSec)}/s | | | reported |`,
        ]
      : []),
  ];
}

/** Many phones, console against bare Baileys' sendMessage (older results have no such section). */
function manyRows(m: Any): string[] {
  if (!m) return [];
  const spread = `median of ${m.samples}, range ${m.cpuRatioMin}–${m.cpuRatioMax}×`;
  return [
    `| messages. ${n0(m.messagesPerSample)} texts through ${n0(m.phones)} phones, all submitted at once (pace off; median of ${m.samples}): msg/s acked, submit → server ack p50 / p99 | ${n0(m.consoleAckedPerSecMedian)} msg/s; ${m.consoleSubmitToAckP50MsMedian} / ${m.consoleSubmitToAckP99MsMedian} ms | bare Baileys sendMessage: ${n0(m.bareAckedPerSecMedian)} msg/s; send → ack ${m.bareSendToAckP50MsMedian} / ${m.bareSendToAckP99MsMedian} ms | | reported |`,
    `| messages. CPU per message, ${n0(m.phones)} phones, submit → server ack (${spread}) | ${m.consoleCpuMsPerMessageMedian} ms | bare Baileys sendMessage ${m.bareCpuMsPerMessageMedian} ms | ${m.cpuRatio} | ≤ 1.25 — ${verdict(m.cpuRatio <= 1.25)} |`,
  ];
}

const SECTIONS: [string, string, (s: Any) => string[]][] = [
  ['density', 'density', densityRows],
  ['authStore', 'auth-store', keyStoreRows],
  ['api', 'api', apiRows],
  ['browser', 'browser', browserRows],
  ['fleet', 'fleet', fleetRows],
  ['ui10k', 'ui-10k', ui10kRows],
  ['health', 'health', healthRows],
  ['authStorm', 'auth-storm', authStormRows],
  ['messages', 'messages', messagesRows],
];

export function benchTable(results: Any): string {
  const lines = ['| benchmark | console | baseline | ratio | target |', '| --- | --- | --- | --- | --- |'];
  const stamps: string[] = [];
  for (const [key, name, rows] of SECTIONS) {
    const sec = results[key];
    if (!sec?.result) {
      stamps.push(`- ${name}: not run yet`);
      continue;
    }
    lines.push(...rows(sec));
    const partial = sec.complete === false ? ' — **incomplete: the run stopped before this section finished**' : '';
    const dirty = sec.uncommitted?.length ? ` plus uncommitted changes to ${sec.uncommitted.join(', ')}` : '';
    stamps.push(
      `- ${name}: ${sec.date.slice(0, 16).replace('T', ' ')} UTC, commit ${sec.commit.slice(0, 10)}${dirty}, \`${sec.command}\`, ${sec.durationSec} s, load average (1 min) ${sec.loadAvg1mBefore} before / ${sec.loadAvg1mAfter} after, ${sec.machine}${partial}`,
    );
  }
  const runs = new Set(SECTIONS.map(([k]) => results[k]?.run).filter(Boolean));
  const head = runs.size === 1 ? `All sections below come from one run started ${[...runs][0].slice(0, 16).replace('T', ' ')} UTC.` : `The sections come from ${runs.size} different runs (each stamped below).`;
  // What each section compared against, where its results say (sections run before this was recorded say nothing).
  const baselines = SECTIONS.filter(([k]) => results[k]?.result?.comparedWith).map(([k, name]) => `- ${name}: ${results[k].result.comparedWith}`);
  const against = baselines.length ? ['', 'Baselines:', '', ...baselines] : [];
  return [head, '', ...lines, ...against, '', 'Where each figure comes from (bench/results.json):', '', ...stamps].join('\n');
}

/** The table README.md holds now: the text between the bench-table markers. */
export function readmeTable(readmeText: string): string {
  const a = readmeText.indexOf(START);
  const b = readmeText.indexOf(END);
  if (a < 0 || b < a) throw new Error(`README.md has no ${START} … ${END} block`);
  return readmeText.slice(a + START.length, b).replace(/^\n/, '').replace(/\n$/, '');
}

export function writeReadmeTable(results: Any, readme = path.join(__dirname, '..', 'README.md')) {
  const text = fs.readFileSync(readme, 'utf8');
  const a = text.indexOf(START);
  const b = text.indexOf(END);
  if (a < 0 || b < a) throw new Error(`README.md has no ${START} … ${END} block`);
  fs.writeFileSync(readme, text.slice(0, a + START.length) + '\n' + benchTable(results) + '\n' + text.slice(b));
}

if (require.main === module) {
  const results = JSON.parse(fs.readFileSync(path.join(__dirname, 'results.json'), 'utf8'));
  if (process.argv.includes('--write')) writeReadmeTable(results);
  else console.log(benchTable(results));
}
