// Issue 21.2: which addresses a user-chosen target (proxy, webhook receiver) may have.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { isInternalAddress, OutboundPolicy } from '../../../lib/http/outbound-guard';

/** What the connection would use for a URL's host: WHATWG parsing normalizes IPv4 spellings. */
const hostOf = (url: string) => new URL(url).hostname;

test('every spelling of loopback, private, link-local, metadata and unspecified addresses is internal', () => {
  const spellings = [
    'http://127.0.0.1/',
    'http://2130706433/',
    'http://0x7f000001/',
    'http://0177.0.0.1/',
    'http://127.1/',
    'http://0.0.0.0/',
    'http://0/',
    'http://10.1.2.3/',
    'http://172.16.0.1/',
    'http://192.168.1.1/',
    'http://169.254.169.254/latest/meta-data/',
    'http://100.64.0.1/',
    'http://[::1]/',
    'http://[::]/',
    'http://[::ffff:127.0.0.1]/',
    'http://[::ffff:7f00:1]/',
    'http://[::ffff:169.254.169.254]/',
    'http://[0:0:0:0:0:ffff:7f00:0001]/',
    'http://[fe80::1]/',
    'http://[fd00:ec2::254]/',
    'http://[64:ff9b::7f00:1]/',
  ];
  for (const url of spellings) assert.equal(isInternalAddress(hostOf(url)), true, url);
  for (const ip of ['8.8.8.8', '1.1.1.1', '2001:4860:4860::8888', '[2606:4700::1111]']) assert.equal(isInternalAddress(ip), false, ip);
});

test('a policy refuses internal literals unless listed, and checks what a name resolves to', async () => {
  const strict = new OutboundPolicy('');
  assert.equal(strict.permits('127.0.0.1'), false);
  assert.equal(strict.permits('8.8.8.8'), true);
  assert.throws(() => strict.checkLiteral(hostOf('http://2130706433/')), { code: 'EOUTBOUND_REFUSED' });
  assert.throws(() => strict.checkLiteral('[::1]'), { code: 'EOUTBOUND_REFUSED' });
  // a name: resolved by the lookup, every address checked (localhost → 127.0.0.1 / ::1)
  const looked = await new Promise<Error | null>((resolve) => strict.lookup('localhost', {}, (err) => resolve(err)));
  assert.equal((looked as { code?: string } | null)?.code, 'EOUTBOUND_REFUSED');

  const loopback = new OutboundPolicy('127.0.0.0/8, ::1');
  assert.equal(loopback.permits('127.0.0.1'), true);
  assert.equal(loopback.permits('::1'), true);
  assert.equal(loopback.permits('10.0.0.1'), false, 'only what is listed');
  assert.equal(loopback.permits('169.254.169.254'), false);
  const address = await new Promise<string>((resolve, reject) =>
    loopback.lookup('localhost', { family: 4 }, (err, a) => (err ? reject(err) : resolve(a as string))),
  );
  assert.equal(address, '127.0.0.1');
  assert.throws(() => new OutboundPolicy('not-an-ip'));
});
