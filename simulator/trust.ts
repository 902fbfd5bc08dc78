// The simulator's Noise certificate chain, signed the way WhatsApp signs its own: a root key
// signs the intermediate certificate, the intermediate's key signs the leaf. Baileys 6.7 checks
// only the intermediate's issuer serial; Baileys 7 verifies both signatures against WhatsApp's
// root public key (Defaults WA_CERT_DETAILS.PUBLIC_KEY), which the simulator cannot sign with. A
// console in simulator mode therefore trusts this published test root instead
// (lib/sessions/engines/simulator-trust.ts). The root is derived from a fixed, public seed: it
// protects nothing and must never be trusted against a real server.
import crypto from 'node:crypto';
import * as libsignal from 'libsignal';
import { Curve, proto } from '@whiskeysockets/baileys';

type KeyPair = { private: Uint8Array; public: Uint8Array };

/** Private key from a fixed public seed: the same root in every simulator, so a console can pin it. */
function fixedKeyPair(label: string): KeyPair {
  const priv = crypto.createHash('sha256').update(`wa-session-console simulator ${label}`).digest();
  priv[0] &= 248;
  priv[31] &= 127;
  priv[31] |= 64;
  const pub = Buffer.from(libsignal.curve.getPublicFromPrivateKey(priv)).subarray(1); // no version byte
  return { private: priv, public: pub };
}

export const SIMULATOR_ROOT = fixedKeyPair('noise root');
/** The serial Baileys 7 expects as the intermediate's issuer (WA_CERT_DETAILS.SERIAL). */
const ROOT_SERIAL = 0;

const intermediateKey = Curve.generateKeyPair();

/** How long a signed chain is reused: well inside its validity (an hour back, 30 days ahead). */
const CHAIN_REUSE_SECONDS = 3600;
const chains = new WeakMap<KeyPair, { madeAt: number; chain: Uint8Array }>();

/**
 * A chain for the server's static key that both Baileys 6.7 and (trusting SIMULATOR_ROOT) 7 accept.
 * Signed once per key and hour, not per handshake: each signature is a pure-JS XEdDSA
 * (curve25519-js), and two per login cost more CPU than the rest of the login (40 logins of bare
 * Baileys with the simulator in one process: 1.7-2.4 s of CPU signing each time, 1.0-1.1 s now).
 */
export function certChain(serverStatic: KeyPair): Uint8Array {
  const now = Math.floor(Date.now() / 1000);
  const cached = chains.get(serverStatic);
  if (cached && now - cached.madeAt < CHAIN_REUSE_SECONDS) return cached.chain;
  const chain = signChain(serverStatic, now);
  chains.set(serverStatic, { madeAt: now, chain });
  return chain;
}

function signChain(serverStatic: KeyPair, now: number): Uint8Array {
  const intermediateDetails = proto.CertChain.NoiseCertificate.Details.encode({
    serial: 1,
    issuerSerial: ROOT_SERIAL,
    key: intermediateKey.public,
    notBefore: now - 3600,
    notAfter: now + 365 * 86400,
  }).finish();
  const leafDetails = proto.CertChain.NoiseCertificate.Details.encode({
    serial: 2,
    issuerSerial: 1,
    key: serverStatic.public,
    notBefore: now - 3600,
    notAfter: now + 30 * 86400,
  }).finish();
  return proto.CertChain.encode({
    leaf: { details: leafDetails, signature: Curve.sign(intermediateKey.private, leafDetails) },
    intermediate: { details: intermediateDetails, signature: Curve.sign(SIMULATOR_ROOT.private, intermediateDetails) },
  }).finish();
}
