// The server side of WhatsApp's Noise XX handshake and frame transport (Baileys 6.7 and 7 clients;
// the certificate chain is in trust.ts).
// See README.md "Transport" for the sequence. Uses Baileys' own crypto helpers.
import { aesDecryptGCM, aesEncryptGCM, Curve, hkdf, NOISE_MODE, NOISE_WA_HEADER, proto, sha256 } from '@whiskeysockets/baileys';
import { certChain } from './trust';

type KeyPair = { private: Uint8Array; public: Uint8Array };

const iv = (counter: number) => {
  const buf = Buffer.alloc(12);
  buf.writeUInt32BE(counter, 8);
  return buf;
};

export class NoiseServer {
  private hash: Buffer;
  private salt: Buffer;
  private key: Buffer;
  private counter = 0;
  private sendKey: Buffer | null = null;
  private recvKey: Buffer | null = null;
  private sendCounter = 0;
  private recvCounter = 0;
  private ephemeral: KeyPair = Curve.generateKeyPair();
  private inBytes = Buffer.alloc(0);
  private sawIntro = false;

  constructor(private readonly serverStatic: KeyPair) {
    const mode = Buffer.from(NOISE_MODE);
    this.hash = mode.length === 32 ? mode : sha256(mode);
    this.salt = this.hash;
    this.key = this.hash;
    this.mixHash(NOISE_WA_HEADER);
  }

  get finished() {
    return this.sendKey !== null;
  }

  private mixHash(data: Uint8Array) {
    this.hash = sha256(Buffer.concat([this.hash, data]));
  }

  private async mixKey(ikm: Uint8Array) {
    const out = await hkdf(Buffer.from(ikm), 64, { salt: this.salt, info: '' });
    this.salt = Buffer.from(out.subarray(0, 32));
    this.key = Buffer.from(out.subarray(32));
    this.counter = 0;
  }

  private encryptHs(plaintext: Uint8Array): Buffer {
    const out = Buffer.from(aesEncryptGCM(plaintext, this.key, iv(this.counter++), this.hash));
    this.mixHash(out);
    return out;
  }

  private decryptHs(ciphertext: Uint8Array): Buffer {
    const out = Buffer.from(aesDecryptGCM(ciphertext, this.key, iv(this.counter++), this.hash));
    this.mixHash(ciphertext);
    return out;
  }

  /** Answers the client's hello; returns the serverHello frame payload. */
  async serverHello(clientEphemeral: Uint8Array): Promise<Uint8Array> {
    this.clientEphemeral = clientEphemeral;
    this.mixHash(clientEphemeral);
    this.mixHash(this.ephemeral.public);
    await this.mixKey(Curve.sharedKey(this.ephemeral.private, clientEphemeral));
    const staticEnc = this.encryptHs(this.serverStatic.public);
    await this.mixKey(Curve.sharedKey(this.serverStatic.private, clientEphemeral));
    const payload = this.encryptHs(certChain(this.serverStatic));
    return proto.HandshakeMessage.encode({ serverHello: { ephemeral: this.ephemeral.public, static: staticEnc, payload } }).finish();
  }

  private clientEphemeral: Uint8Array | null = null;

  /** Processes clientFinish; returns the client's static key and its ClientPayload. */
  async clientFinish(finish: { static?: Uint8Array | null; payload?: Uint8Array | null }) {
    const clientStatic = this.decryptHs(finish.static!);
    await this.mixKey(Curve.sharedKey(this.ephemeral.private, clientStatic));
    const payload = proto.ClientPayload.decode(this.decryptHs(finish.payload!));
    const out = await hkdf(Buffer.alloc(0), 64, { salt: this.salt, info: '' });
    // The client's first half is its send key, so it is our receive key.
    this.recvKey = Buffer.from(out.subarray(0, 32));
    this.sendKey = Buffer.from(out.subarray(32));
    return { clientStatic, payload };
  }

  /** Splits incoming bytes into frames (the first message carries the 4-byte intro header). */
  readFrames(data: Buffer): Buffer[] {
    if (!this.sawIntro) {
      this.sawIntro = true;
      if (data.subarray(0, 2).toString() === 'ED') {
        const len = (data[4] << 16) | data.readUInt16BE(5);
        data = data.subarray(7 + len);
      }
      data = data.subarray(4);
    }
    this.inBytes = Buffer.concat([this.inBytes, data]);
    const frames: Buffer[] = [];
    while (this.inBytes.length >= 3) {
      const size = (this.inBytes[0] << 16) | this.inBytes.readUInt16BE(1);
      if (this.inBytes.length < size + 3) break;
      frames.push(this.inBytes.subarray(3, size + 3));
      this.inBytes = this.inBytes.subarray(size + 3);
    }
    return frames;
  }

  decrypt(frame: Buffer): Buffer {
    return Buffer.from(aesDecryptGCM(frame, this.recvKey!, iv(this.recvCounter++), Buffer.alloc(0)));
  }

  /** Frames a payload, encrypting it once the handshake is finished. */
  frame(payload: Uint8Array): Buffer {
    const data = this.sendKey ? Buffer.from(aesEncryptGCM(payload, this.sendKey, iv(this.sendCounter++), Buffer.alloc(0))) : Buffer.from(payload);
    const out = Buffer.alloc(3 + data.length);
    out.writeUInt8(data.length >> 16, 0);
    out.writeUInt16BE(data.length & 0xffff, 1);
    data.copy(out, 3);
    return out;
  }
}
