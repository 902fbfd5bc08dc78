'use client';

import { QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { createContext, useContext, useMemo, useState, type ReactNode } from 'react';
import { translator, type Locale, type Translate } from '@/lib/ui/i18n';
import { ToastProvider } from './ui/Toast';
import type { EngineName } from '@/lib/sessions/engines/types';

interface UiContext {
  locale: Locale;
  t: Translate;
  role: 'admin' | 'viewer';
  simulator: boolean;
  /** DEFAULT_ENGINE: what the Add form preselects */
  defaultEngine: EngineName;
}

const Ctx = createContext<UiContext | null>(null);

export function useUi(): UiContext {
  const ctx = useContext(Ctx);
  if (!ctx) throw new Error('useUi outside Providers');
  return ctx;
}

export function Providers({ locale, role, simulator, defaultEngine, children }: { locale: Locale; role: 'admin' | 'viewer'; simulator: boolean; defaultEngine: EngineName; children: ReactNode }) {
  const [client] = useState(() => new QueryClient({ defaultOptions: { queries: { retry: 1, staleTime: 1000 } } }));
  // One context value per locale and role: memoized rows (the sessions table) are not redrawn by a new `t`.
  const ui = useMemo(() => ({ locale, t: translator(locale), role, simulator, defaultEngine }), [locale, role, simulator, defaultEngine]);
  return (
    <QueryClientProvider client={client}>
      <Ctx.Provider value={ui}>
        <ToastProvider label={ui.t('toast.dismiss')}>{children}</ToastProvider>
      </Ctx.Provider>
    </QueryClientProvider>
  );
}
