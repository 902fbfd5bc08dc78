import { test } from 'node:test';
import assert from 'node:assert/strict';
import pino from 'pino';
import { prettyLogLine } from '../../../lib/log-format';
import { REDACT_PATHS } from '../../../lib/logger';

test('a pino line becomes one readable line: time, level, module, message, the other fields', () => {
  const line = JSON.stringify({ level: 40, time: '2026-12-05T09:14:03.123Z', app: 'wa-console', module: 'sessions', phoneId: 3, phoneJid: '77050000001@s.whatsapp.net', msg: 'session closed', err: { type: 'Error', message: 'boom', stack: 'at x' } });
  assert.equal(prettyLogLine(line), '09:14:03  WARN   sessions   session closed  phoneId=3 phoneJid=77050000001@s.whatsapp.net err="boom"');
});

test('what is not a JSON object passes through unchanged', () => {
  assert.equal(prettyLogLine('plain text\n'), 'plain text');
  assert.equal(prettyLogLine('null'), 'null');
});

test('redaction happens before formatting: a secret never reaches the pretty line', () => {
  const lines: string[] = [];
  const log = pino({ redact: { paths: REDACT_PATHS, censor: '[redacted]' } }, { write: (s: string) => void lines.push(prettyLogLine(s)) });
  log.info({ password: 'hunter2-secret', qr: 'ref,noise,identity,adv' }, 'signed in');
  assert.equal(lines.length, 1);
  assert.ok(!lines[0].includes('hunter2-secret') && !lines[0].includes('ref,noise'), lines[0]);
  assert.match(lines[0], /password=\[redacted\]/);
});

test('a line carries module once: a child of a module logger names its own module (issue 27.16)', async () => {
  const { createLogger } = await import('../../../lib/logger');
  const lines: string[] = [];
  const log = createLogger({ level: 'info', destination: { write: (s: string) => void lines.push(s) } });
  const sessions = log.child({ module: 'sessions' });
  sessions.child({ module: 'messages' }).info({ phoneId: 7 }, 'queued');
  sessions.child({ phoneId: 3, phoneJid: '77050000001@s.whatsapp.net' }).child({ class: 'baileys' }, { level: 'warn' }).warn('socket note');
  sessions.info('plain');
  assert.equal(lines.length, 3);
  for (const line of lines) assert.equal(line.match(/"module":/g)?.length, 1, line);
  assert.equal(JSON.parse(lines[0]).module, 'messages');
  assert.equal(JSON.parse(lines[1]).module, 'sessions');
  assert.equal(JSON.parse(lines[1]).phoneJid, '77050000001@s.whatsapp.net');
  assert.match(prettyLogLine(lines[0]), /^\d\d:\d\d:\d\d {2}INFO {3}messages {3}queued {2}phoneId=7$/);
});

test('redacted bindings stay redacted when a child repeats a name', async () => {
  const { createLogger } = await import('../../../lib/logger');
  const lines: string[] = [];
  const log = createLogger({ level: 'info', destination: { write: (s: string) => void lines.push(s) } });
  log.child({ module: 'a', token: 'wac_secret_token_value' }).child({ module: 'b' }).info('x');
  assert.ok(!lines[0].includes('wac_secret_token_value'), lines[0]);
  assert.equal(JSON.parse(lines[0]).module, 'b');
});
