// Follows the console's event stream (GET /api/sessions/stream): which phones are open now (the
// list read once the stream is subscribed, then every state event) and how many state events
// arrived. The stream's `hello` carries no phones (issue 27.17): the list comes from the API, and
// a phone a state event has spoken of since `hello` is judged by its events, not by the list.
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
  const touched = new Set<number>();
  let states = 0;
  const readList = async () => {
    const r = await fetch(`${url}/api/sessions`, { headers, signal: ctrl.signal });
    if (!r.ok) throw new Error(`the session list answered ${r.status}`);
    for (const s of (await r.json()) as { id: number; status: string }[]) if (s.status === 'open' && !touched.has(s.id)) open.add(s.id);
  };
  void (async () => {
    for await (const frame of sseFrames(res.body!)) {
      const body = JSON.parse(frame.data);
      if (frame.event === 'hello') void readList().catch(() => undefined);
      if (frame.event === 'state') {
        states++;
        touched.add(body.phoneId);
        if (body.state === 'open') open.add(body.phoneId);
        else open.delete(body.phoneId);
      }
    }
  })().catch(() => undefined);
  return { open, stateEvents: () => states, close: () => ctrl.abort() };
}
