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
