// The engine's event bus: the only way state leaves the manager. A failing or slow subscriber
// never affects a socket: listeners are called synchronously but isolated from each other.
import type { SessionEngineEvent, SessionEventListener } from './types';

export class EventBus {
  private listeners = new Set<SessionEventListener>();
  /** Grows with every event: readers cache what they derive from the sessions against it. */
  version = 0;
  constructor(private onListenerError: (err: unknown) => void = () => {}) {}

  subscribe(listener: SessionEventListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  get listenerCount() {
    return this.listeners.size;
  }

  emit(event: SessionEngineEvent) {
    this.version++;
    for (const listener of this.listeners) {
      try {
        listener(event);
      } catch (err) {
        this.onListenerError(err);
      }
    }
  }
}
