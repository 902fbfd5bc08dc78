'use client';

import { createContext, useCallback, useContext, useState, type ReactNode } from 'react';

type Toast = { id: number; kind: 'success' | 'error'; text: string };
const Ctx = createContext<(kind: Toast['kind'], text: string) => void>(() => {});

export const useToast = () => useContext(Ctx);

export function ToastProvider({ label, children }: { label: string; children: ReactNode }) {
  const [toasts, setToasts] = useState<Toast[]>([]);
  const push = useCallback((kind: Toast['kind'], text: string) => {
    const id = Date.now() + Math.random();
    setToasts((list) => [...list, { id, kind, text }]);
    setTimeout(() => setToasts((list) => list.filter((t) => t.id !== id)), 6000);
  }, []);
  const dismiss = (id: number) => setToasts((list) => list.filter((t) => t.id !== id));
  return (
    <Ctx.Provider value={push}>
      {children}
      {/* Toasts never take a click from what lies under them (the pager, a last row's actions):
          only their own dismiss button catches the pointer (issue 27.14). */}
      <div className="pointer-events-none fixed bottom-4 right-4 z-50 flex max-w-sm flex-col gap-2" aria-live="polite">
        {toasts.map((t) => (
          <div key={t.id} role="status" data-testid={`toast-${t.kind}`}
            className={`flex items-start gap-2 rounded py-2 pl-4 pr-2 text-sm text-white shadow-lg ${t.kind === 'success' ? 'bg-emerald-700' : 'bg-red-700'}`}>
            <span className="min-w-0 flex-1 [overflow-wrap:anywhere]">{t.text}</span>
            <button type="button" onClick={() => dismiss(t.id)} aria-label={label} data-testid="toast-dismiss"
              className="pointer-events-auto -my-1 inline-flex h-6 w-6 shrink-0 items-center justify-center rounded hover:bg-white/20">
              <span aria-hidden className="before:content-['×']" />
            </button>
          </div>
        ))}
      </div>
    </Ctx.Provider>
  );
}
