'use client';

import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import type { SessionDto } from '@/lib/api/session-schemas';
import { ENGINE_CLIENTS, ENGINE_NAMES, isEngineName, type EngineName } from '@/lib/sessions/engines/types';
import { queryKeys } from '@/lib/ui/query-keys';
import { fetchJson } from '@/lib/ui/fetch-json';
import { useUi } from '../providers';
import { useToast } from '../ui/Toast';
import { Spinner } from '../ui/ConfirmDialog';
import { SubmitButton } from '../ui/SubmitButton';
import { useFieldErrors } from '../ui/FormField';
import { errorMessage, fieldErrors } from '@/lib/ui/session-text';

const INPUT = 'mt-1 block rounded border border-gray-300 px-2 py-1 dark:border-gray-700 dark:bg-gray-950';

/** Add a phone, then show its pairing QR (refreshed as it rotates) until it connects. */
export function AddPhone({ organizations }: { organizations: string[] }) {
  const { t, defaultEngine } = useUi();
  const toast = useToast();
  const client = useQueryClient();
  const [pairingId, setPairingId] = useState<number | null>(null);
  const { setErrors, field } = useFieldErrors('add');
  const add = useMutation({
    mutationFn: (body: { organizationName: string; phone: string; label?: string; proxyUrl?: string; engine?: EngineName }) => fetchJson<SessionDto>('/api/sessions', { method: 'POST', body }),
    onMutate: () => setErrors({}),
    onSuccess: (s) => {
      setPairingId(s.id);
      void client.invalidateQueries({ queryKey: queryKeys.sessions() });
    },
    onError: (err: Error) => {
      setErrors(fieldErrors(t, err));
      toast('error', t('toast.failed', { error: errorMessage(t, err) }));
    },
  });
  const onSubmit = (e: FormEvent<HTMLFormElement>) => {
    e.preventDefault();
    const form = new FormData(e.currentTarget);
    const proxyUrl = String(form.get('proxyUrl') ?? '').trim();
    const label = String(form.get('label') ?? '').trim();
    const engine = form.get('engine');
    // Empty: the server picks from its proxy pool (when one is configured).
    add.mutate({
      organizationName: String(form.get('organization') ?? '').trim(), phone: String(form.get('phone') ?? '').trim(), ...(label ? { label } : {}), ...(proxyUrl ? { proxyUrl } : {}),
      ...(isEngineName(engine) ? { engine } : {}),
    });
  };
  return (
    <details className="rounded-lg border border-gray-200 p-3 dark:border-gray-800" open={pairingId !== null}>
      <summary className="cursor-pointer font-medium" data-testid="add-phone-toggle">{t('add.title')}</summary>
      <form onSubmit={onSubmit} className="mt-3 flex flex-wrap items-end gap-3">
        {field('organizationName', t('add.organization'), (aria) => (
          <>
            <input name="organization" required list="organizations" defaultValue={organizations[0] ?? ''} data-testid="add-org" {...aria} className={INPUT} />
            <datalist id="organizations">{organizations.map((o) => <option key={o} value={o} />)}</datalist>
          </>
        ))}
        {field('phone', t('add.phone'), (aria) => (
          <input name="phone" required inputMode="tel" placeholder="77051234567" data-testid="add-phone" {...aria} className={`${INPUT} font-mono`} />
        ), t('add.phoneHint'))}
        {field('label', t('add.label'), (aria) => <input name="label" maxLength={100} data-testid="add-label" {...aria} className={`${INPUT} w-40`} />)}
        {field('proxyUrl', t('add.proxy'), (aria) => (
          <input name="proxyUrl" type="text" autoComplete="off" spellCheck={false} placeholder="socks5://user:password@host:1080" data-testid="add-proxy" {...aria}
            className={`${INPUT} w-72 max-w-full font-mono`} />
        ), t('add.proxyHint'))}
        {/* Preselected: DEFAULT_ENGINE (baileys-6 unless set); the API validates what is sent. */}
        {field('engine', t('add.engine'), (aria) => (
          <select name="engine" defaultValue={defaultEngine} data-testid="add-engine" {...aria} className={INPUT}>
            {ENGINE_NAMES.map((name) => <option key={name} value={name}>{name} ({ENGINE_CLIENTS[name]})</option>)}
          </select>
        ), t('add.engineHint'))}
        <SubmitButton pending={add.isPending} testId="add-submit">{t('add.submit')}</SubmitButton>
      </form>
      {pairingId !== null && <PairingPanel id={pairingId} onDone={() => setPairingId(null)} />}
    </details>
  );
}

export function PairingPanel({ id, onDone }: { id: number; onDone: () => void }) {
  const { t, simulator } = useUi();
  const toast = useToast();
  const code = useMutation({
    mutationFn: () => fetchJson<{ pairingCode: string }>(`/api/sessions/${id}/pairing-code`, { method: 'POST' }),
    onError: (err: Error) => toast('error', t('toast.failed', { error: errorMessage(t, err) })),
  });
  // Demo mode only (the layout says whether the console runs against a local simulator): the
  // simulated phone does the phone's part; the server reads the QR or code itself.
  const simulate = useMutation({
    mutationFn: (method: 'scan' | 'pairing-code') => fetchJson<{ deviceJid: string }>(`/api/demo/sessions/${id}/${method}`, { method: 'POST' }),
    onError: (err: Error) => toast('error', t('toast.failed', { error: errorMessage(t, err) })),
  });
  const simulateButton = (method: 'scan' | 'pairing-code', label: string) => (
    <div className="space-y-1 rounded border border-dashed border-amber-500 p-2 text-sm" data-testid="pairing-demo">
      <p className="text-gray-700 dark:text-gray-300">{t('add.demoHint')}</p>
      <button type="button" onClick={() => simulate.mutate(method)} disabled={simulate.isPending} data-testid={method === 'scan' ? 'pairing-simulate-scan' : 'pairing-simulate-code'}
        className="inline-flex items-center gap-2 rounded bg-amber-800 px-2 py-1 font-medium text-white disabled:opacity-60">
        {simulate.isPending && <Spinner />}
        {label}
      </button>
    </div>
  );
  // The phone's own state: kept current by the stream (applyEvent), polled while the stream is down.
  const session = useQuery({ queryKey: queryKeys.session(id), queryFn: () => fetchJson<SessionDto>(`/api/sessions/${id}`), refetchInterval: 3000 });
  const status = session.data?.status;
  // Once linked, stay on "Connected" even if the session later restarts.
  const [linked, setLinked] = useState(false);
  if (status === 'open' && !linked) setLinked(true);
  // A key of its own per panel: a QR cached from an earlier pairing has expired.
  const [opened] = useState(() => Date.now());
  const qr = useQuery({
    queryKey: [...queryKeys.qr(id), opened],
    queryFn: () => fetchJson<{ qr: string; svg: string }>(`/api/sessions/${id}/qr`),
    enabled: !linked && status !== 'open' && !code.data,
    refetchInterval: 2000,
    retry: false,
  });
  if (linked || status === 'open') {
    return (
      <div className="mt-3 flex items-center gap-3" data-testid="pairing-connected">
        <span className="text-emerald-800 dark:text-emerald-300">✓ {t('add.connected')}</span>
        <button type="button" onClick={onDone} className="min-h-7 rounded border border-gray-400 px-2 py-1 text-xs dark:border-gray-500">{t('add.done')}</button>
      </div>
    );
  }
  if (code.data) {
    return (
      <div className="mt-3 space-y-2" data-testid="pairing-panel">
        <p className="text-sm">{t('add.codeHint')}</p>
        <p aria-label={t('add.codeLabel')} data-testid="pairing-code" className="font-mono text-3xl font-semibold tracking-widest">
          {code.data.pairingCode}
        </p>
        {simulator && simulateButton('pairing-code', t('add.simulateCode'))}
      </div>
    );
  }
  return (
    <div className="mt-3 space-y-2" data-testid="pairing-panel">
      <p className="text-sm">{t('add.scan')}</p>
      {qr.data ? (
        <figure className="space-y-1">
          <div data-testid="pairing-qr" data-qr={qr.data.qr} role="img" aria-label={t('add.qrLabel')} className="h-56 w-56 rounded bg-white p-2" dangerouslySetInnerHTML={{ __html: qr.data.svg }} />
          <figcaption className="sr-only" data-testid="pairing-qr-text">{qr.data.qr}</figcaption>
        </figure>
      ) : (
        <p className="text-sm text-gray-600 dark:text-gray-400">{t('add.waiting')}</p>
      )}
      {qr.data && (
        <button type="button" onClick={() => code.mutate()} disabled={code.isPending} data-testid="pairing-use-code"
          className="inline-flex items-center gap-2 rounded border border-gray-300 px-2 py-1 text-sm dark:border-gray-700">
          {code.isPending && <Spinner />}
          {t('add.useCode')}
        </button>
      )}
      {simulator && qr.data && simulateButton('scan', t('add.simulateScan'))}
    </div>
  );
}
