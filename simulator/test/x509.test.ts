// The media host's certificates parse on every start: a random serial with leading zero bytes
// was once encoded non-minimally, which OpenSSL refuses ("illegal padding") about one start in 128.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import { makeMediaTls } from '../x509';

test('1,000 certificate pairs all parse, the host certificate signed by its CA, for its names', () => {
  for (let i = 0; i < 1000; i++) {
    const tls = makeMediaTls(['mmg.whatsapp.net', '127.0.0.1']);
    const ca = new crypto.X509Certificate(tls.caPem);
    const host = new crypto.X509Certificate(tls.cert);
    assert.ok(host.verify(ca.publicKey), `pair ${i}: signed by the CA`);
    assert.ok(host.checkHost('mmg.whatsapp.net'), `pair ${i}: host name`);
    assert.ok(host.checkIP('127.0.0.1'), `pair ${i}: address`);
  }
});
