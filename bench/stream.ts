// Follows the console's event stream (GET /api/sessions/stream): which phones are open now (from
// the hello snapshot, then every state event) and how many state events arrived.
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
    const reader = res.body!.getReader();
    const decoder = new TextDecoder();
    let buffer = '';
    for (;;) {
      const { value, done } = await reader.read();
      if (done) return;
      buffer += decoder.decode(value, { stream: true });
      let i;
      while ((i = buffer.indexOf('\n\n')) >= 0) {
        const chunk = buffer.slice(0, i);
        buffer = buffer.slice(i + 2);
        const event = /^event: (.*)$/m.exec(chunk)?.[1];
        const data = /^data: (.*)$/m.exec(chunk)?.[1];
        if (!event || !data) continue;
        const body = JSON.parse(data);
        if (event === 'hello') for (const s of body.sessions ?? []) if (s.status === 'open') open.add(s.id);
        if (event === 'state') {
          states++;
          if (body.state === 'open') open.add(body.phoneId);
          else open.delete(body.phoneId);
        }
      }
    }
  })().catch(() => undefined);
  return { open, stateEvents: () => states, close: () => ctrl.abort() };
}

export async function until<T>(what: string, timeoutMs: number, fn: () => Promise<T | undefined>): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn().catch(() => undefined);
    if (v !== undefined) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}
