// NATS core with the console's FleetBus interface: for `npm run bench -- fleet` only (the console
// uses PgBus, lib/fleet/bus.ts; docs/fleet.md says why).
import { connect, type NatsConnection } from 'nats';
import type { BusHandler, FleetBus } from '../lib/fleet/bus';

/** NATS core with the console's FleetBus interface (bench only: the console uses PgBus). */
export class NatsBus implements FleetBus {
  private constructor(private readonly nc: NatsConnection) {}
  static async open(servers: string) {
    return new NatsBus(await connect({ servers, name: 'fleet-bench' }));
  }
  async publish(channel: string, message: unknown) {
    this.nc.publish(channel, Buffer.from(JSON.stringify(message)));
  }
  async subscribe(channel: string, handler: BusHandler) {
    const sub = this.nc.subscribe(channel, {
      callback: (err, msg) => {
        if (err) return;
        handler(JSON.parse(Buffer.from(msg.data).toString('utf8')));
      },
    });
    await this.nc.flush(); // the subscription is known to the server before anything is sent
    return async () => sub.unsubscribe();
  }
  /** What the server said about itself when this connection opened (recorded with the results). */
  server() {
    const info = this.nc.info;
    return info ? { version: info.version, go: info.go, proto: info.proto, maxPayload: info.max_payload, jetstream: info.jetstream ?? false, headers: info.headers ?? false } : null;
  }
  async flush() {
    await this.nc.flush();
  }
  async close() {
    await this.nc.drain();
  }
}

