// Follows the console's event stream (GET /api/sessions/stream): which phones are open now (from
// the hello snapshot, then every state event) and how many state events arrived.
import { sseFrames } from '../test/support/sse';

export interface OpenTracker {
  open: Set<number>;
  stateEvents(): number;
  close(): void;
}

export async function trackOpenPhones(url: string, headers: Record<string, string>): Promise<OpenTracker> {
  const ctrl = new AbortController();
  const res = await fetch(`${url}/api/sessions/stream`, { headers, signal: ctrl.signal });
  if (res.status !== 200) throw new Error(`event stream answered ${res.status}`);
  const open = new Set<number>();
  let states = 0;
  void (async () => {
    for await (const frame of sseFrames(res.body!)) {
      const body = JSON.parse(frame.data);
      if (frame.event === 'hello') for (const s of body.sessions ?? []) if (s.status === 'open') open.add(s.id);
      if (frame.event === 'state') {
        states++;
        if (body.state === 'open') open.add(body.phoneId);
        else open.delete(body.phoneId);
      }
    }
  })().catch(() => undefined);
  return { open, stateEvents: () => states, close: () => ctrl.abort() };
}
