// Minimal typings for the parts of npm `libsignal` the simulator uses.
declare module 'libsignal' {
  export interface KeyPair { pubKey: Buffer; privKey: Buffer }
  export const keyhelper: {
    generateIdentityKeyPair(): KeyPair;
    generateRegistrationId(): number;
    generateSignedPreKey(identity: KeyPair, keyId: number): { keyId: number; keyPair: KeyPair; signature: Buffer };
    generatePreKey(keyId: number): { keyId: number; keyPair: KeyPair };
  };
  export class ProtocolAddress {
    constructor(id: string, deviceId: number);
    toString(): string;
  }
  export class SessionRecord {
    static deserialize(data: unknown): SessionRecord;
    serialize(): unknown;
  }
  export interface DeviceBundle {
    registrationId: number;
    identityKey: Buffer;
    signedPreKey: { keyId: number; publicKey: Buffer; signature: Buffer };
    preKey?: { keyId: number; publicKey: Buffer };
  }
  export class SessionBuilder {
    constructor(storage: unknown, address: ProtocolAddress);
    initOutgoing(device: DeviceBundle): Promise<void>;
  }
  export class SessionCipher {
    constructor(storage: unknown, address: ProtocolAddress);
    encrypt(data: Buffer): Promise<{ type: number; body: Buffer; registrationId: number }>;
    decryptPreKeyWhisperMessage(data: Buffer): Promise<Buffer>;
    decryptWhisperMessage(data: Buffer): Promise<Buffer>;
  }
  export const curve: {
    getPublicFromPrivateKey(privKey: Uint8Array): Buffer;
  };
  export const crypto: {
    encrypt(key: Buffer, data: Buffer, iv: Buffer): Buffer;
  };
}

declare module 'libsignal/src/protobufs' {
  interface Codec<T> {
    decode(data: Uint8Array): T;
    encode(msg: T): { finish(): Uint8Array };
    create(props?: Partial<T>): T;
  }
  export const PreKeyWhisperMessage: Codec<{ message: Uint8Array; registrationId?: number; preKeyId?: number; signedPreKeyId?: number; baseKey?: Uint8Array; identityKey?: Uint8Array }>;
}
