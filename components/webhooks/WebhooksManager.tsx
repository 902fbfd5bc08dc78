'use client';

import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import { queryKeys } from '@/lib/ui/query-keys';
import { fetchJson } from '@/lib/ui/fetch-json';
import { type MessageKey } from '@/lib/ui/i18n';
import { RelativeTime } from '../ui/RelativeTime';
import { useUi } from '../providers';
import { QueryView } from '../ui/QueryView';
import { hiddenHeader, ROW, Table } from '../ui/Table';
import { SubmitButton } from '../ui/SubmitButton';
import { errorMessage } from '@/lib/ui/session-text';
import { useToast } from '../ui/Toast';

interface Delivery {
  id: number;
  messageId: string;
  event: string;
  url: string;
  organizationId: number | null;
  status: 'pending' | 'delivered' | 'failed';
  attempts: number;
  maxAttempts: number;
  nextAttemptAt: string | null;
  lastError: string | null;
  lastStatusCode: number | null;
  createdAt: string;
  payload: unknown;
  phone: string | null;
  organizationName: string | null;
}
interface Organization {
  id: number;
  name: string;
}
/** ERROR_WEBHOOK_URL as the server shows it (lib/webhooks/service.ts errorWebhookEndpoint) */
interface ErrorEndpointInfo {
  url: string;
  hasSecret: boolean;
}
interface Endpoint {
  organizationId: number;
  url: string | null;
  hasSecret: boolean;
}

const SECONDARY = 'rounded border border-gray-400 px-3 py-1.5 text-sm disabled:opacity-60 dark:border-gray-500';
const input = 'mt-1 block w-full rounded border border-gray-300 px-2 py-1 dark:border-gray-700 dark:bg-gray-950';

/** The newest 100 deliveries: the page's table, and where a test delivery's outcome is followed. */
const deliveriesQuery = {
  queryKey: queryKeys.webhookDeliveries(),
  queryFn: () => fetchJson<{ items: Delivery[] }>('/api/webhooks/deliveries?limit=100'),
};

/**
 * "Send test" for one audience (an organization's endpoint, or ERROR_WEBHOOK_URL for null): one
 * attempt, followed until the receiver answered (issue 27.15), its outcome in words.
 */
function useTestDelivery(organizationId: number | null) {
  const { t } = useUi();
  const toast = useToast();
  const client = useQueryClient();
  const [testId, setTestId] = useState<number | null>(null);
  const deliveries = useQuery({
    ...deliveriesQuery,
    enabled: testId !== null,
    refetchInterval: (query) => (query.state.data?.items.find((d) => d.id === testId)?.status ?? 'pending') === 'pending' ? 1000 : false,
  });
  const test = useMutation({
    mutationFn: () => fetchJson<Delivery>('/api/webhooks/test', { method: 'POST', body: { organizationId } }),
    onSuccess: (d) => {
      setTestId(d.id);
      void client.invalidateQueries({ queryKey: queryKeys.webhookDeliveries() });
    },
    onError: (err) => toast('error', t('toast.failed', { error: errorMessage(t, err) })),
  });
  const tested = testId === null ? undefined : deliveries.data?.items.find((d) => d.id === testId);
  const text = test.isPending || (testId !== null && (!tested || tested.status === 'pending'))
    ? t('webhooks.testSending')
    : tested?.status === 'delivered'
      ? t('webhooks.testDelivered', { status: tested.lastStatusCode ?? '—' })
      : tested
        ? t('webhooks.testFailed', { error: tested.lastError ?? '—' })
        : null;
  return { send: () => test.mutate(), sending: test.isPending, status: tested?.status ?? 'pending', text };
}

function TestResult({ test, testId, className = '' }: { test: ReturnType<typeof useTestDelivery>; testId: string; className?: string }) {
  if (!test.text) return null;
  const tone = test.status === 'failed' ? 'text-red-800 dark:text-red-300' : test.status === 'delivered' ? 'text-emerald-800 dark:text-emerald-300' : '';
  return <p role="status" data-testid={testId} data-status={test.status} className={`text-sm ${className} ${tone}`}>{test.text}</p>;
}

/** ERROR_WEBHOOK_URL, set by the environment (not editable here): shown masked, with its own "Send test". */
function ErrorEndpoint({ endpoint }: { endpoint: ErrorEndpointInfo | null }) {
  const { t, role } = useUi();
  const test = useTestDelivery(null);
  return (
    <div className="space-y-2 rounded border border-gray-200 p-3 dark:border-gray-800" data-testid="error-webhook">
      <h2 className="font-semibold">{t('webhooks.errorEndpoint')}</h2>
      <p className="text-sm text-gray-600 dark:text-gray-400">{t('webhooks.errorEndpointHelp')}</p>
      {endpoint ? (
        <div className="flex flex-wrap items-center gap-2">
          <span className="font-mono text-sm [overflow-wrap:anywhere]" data-testid="error-webhook-url">{endpoint.url}</span>
          <span className="text-sm text-gray-700 dark:text-gray-300">{endpoint.hasSecret ? t('webhooks.errorEndpointSigned') : t('webhooks.errorEndpointUnsigned')}</span>
          {role === 'admin' && (
            <button type="button" disabled={test.sending} onClick={test.send} className={SECONDARY} data-testid="error-webhook-test">{t('webhooks.sendTest')}</button>
          )}
        </div>
      ) : <p className="text-sm" data-testid="error-webhook-unset">{t('webhooks.errorEndpointUnset')}</p>}
      <TestResult test={test} testId="error-webhook-test-result" />
    </div>
  );
}

function EndpointForm({ org }: { org: Organization }) {
  const { t } = useUi();
  const toast = useToast();
  const client = useQueryClient();
  const key = queryKeys.organizationWebhook(org.id);
  const endpoint = useQuery({ queryKey: key, queryFn: () => fetchJson<Endpoint>(`/api/organizations/${org.id}/webhook`) });
  const save = useMutation({
    mutationFn: (body: { url: string | null; secret?: string }) => fetchJson<Endpoint>(`/api/organizations/${org.id}/webhook`, { method: 'PUT', body }),
    onSuccess: (data) => {
      client.setQueryData(key, data);
      toast('success', t('webhooks.saved'));
    },
    onError: (err: Error) => toast('error', t('toast.failed', { error: err.message })),
  });
  const test = useTestDelivery(org.id);
  const onSubmit = (e: FormEvent<HTMLFormElement>) => {
    e.preventDefault();
    const form = new FormData(e.currentTarget);
    const url = String(form.get('url') ?? '').trim();
    const secret = String(form.get('secret') ?? '');
    save.mutate({ url: url || null, ...(secret ? { secret } : {}) });
    (e.currentTarget.elements.namedItem('secret') as HTMLInputElement).value = '';
  };
  if (endpoint.isLoading) return <p className="text-sm">{t('loading')}</p>;
  return (
    <form onSubmit={onSubmit} className="grid min-w-0 gap-2 rounded border border-gray-200 p-3 sm:grid-cols-[10rem_1fr_1fr_auto] sm:items-end dark:border-gray-800" data-testid={`org-webhook-${org.name}`}>
      <span className="font-medium">{org.name}</span>
      <label className="text-sm">{t('webhooks.url')}
        <input name="url" type="url" defaultValue={endpoint.data?.url ?? ''} placeholder="https://…" maxLength={2000} className={input} data-testid="org-webhook-url" />
      </label>
      <label className="text-sm">{t('webhooks.secret')}
        <input name="secret" type="password" autoComplete="new-password" minLength={16} maxLength={500} className={input} data-testid="org-webhook-secret"
          placeholder={endpoint.data?.hasSecret ? t('webhooks.secretSet') : t('webhooks.secretUnset')} />
      </label>
      <span className="flex flex-wrap gap-2">
        <SubmitButton pending={save.isPending} testId="org-webhook-save">{t('webhooks.save')}</SubmitButton>
        {endpoint.data?.url && (
          <button type="button" disabled={test.sending} onClick={test.send} className={SECONDARY} data-testid="org-webhook-test">{t('webhooks.sendTest')}</button>
        )}
        {endpoint.data?.url && (
          <button type="button" disabled={save.isPending} onClick={() => save.mutate({ url: null })} className={SECONDARY}>{t('webhooks.clear')}</button>
        )}
      </span>
      <TestResult test={test} testId="org-webhook-test-result" className="sm:col-span-4" />
    </form>
  );
}

export function WebhooksManager({ errorEndpoint }: { errorEndpoint: ErrorEndpointInfo | null }) {
  const { t, role } = useUi();
  const toast = useToast();
  const client = useQueryClient();
  const [open, setOpen] = useState<number | null>(null);
  const deliveries = useQuery({ ...deliveriesQuery, refetchInterval: 5000 });
  const orgs = useQuery({ queryKey: queryKeys.organizations(), queryFn: () => fetchJson<Organization[]>('/api/organizations'), enabled: role === 'admin' });
  const again = useMutation({
    mutationFn: (id: number) => fetchJson<Delivery>(`/api/webhooks/deliveries/${id}/redeliver`, { method: 'POST' }),
    onSuccess: () => {
      toast('success', t('webhooks.queued'));
      void client.invalidateQueries({ queryKey: queryKeys.webhookDeliveries() });
    },
    onError: (err: Error) => toast('error', t('toast.failed', { error: err.message })),
  });
  const statusClass = { pending: 'text-amber-700 dark:text-amber-400', delivered: 'text-emerald-700 dark:text-emerald-400', failed: 'text-red-700 dark:text-red-400' };
  return (
    <section className="space-y-6">
      <h1 className="text-xl font-semibold">{t('webhooks.title')}</h1>
      <ErrorEndpoint endpoint={errorEndpoint} />
      {role === 'admin' && (
        <div className="space-y-2">
          <h2 className="font-semibold">{t('webhooks.endpoints')}</h2>
          <p className="text-sm text-gray-600 dark:text-gray-400">{t('webhooks.endpointsHelp')}</p>
          {orgs.data?.map((org) => <EndpointForm key={org.id} org={org} />)}
        </div>
      )}
      <div className="space-y-2">
        <h2 className="font-semibold">{t('webhooks.deliveries')}</h2>
        <QueryView query={deliveries} hasRows={(d) => d.items.length > 0} empty={t('webhooks.empty')}>{(data) => (
          <Table testId="deliveries-table" headers={[t('webhooks.created'), t('webhooks.event'), t('webhooks.phone'), t('webhooks.organization'), t('webhooks.status'), t('webhooks.attempts'), t('webhooks.nextAttempt'), t('webhooks.lastError'), hiddenHeader(t('col.actions'))]}>
            {data.items.map((d) => (
              <tr key={d.id} className={`${ROW} align-top`} data-testid={`delivery-${d.id}`}>
                <td className="px-2 py-1 whitespace-nowrap"><RelativeTime iso={d.createdAt} /></td>
                <td className="px-2 py-1">
                  <button type="button" className="underline decoration-dotted" aria-expanded={open === d.id} onClick={() => setOpen(open === d.id ? null : d.id)}>{d.event}</button>
                  {open === d.id && <pre className="mt-1 max-w-xl overflow-x-auto rounded bg-gray-50 p-2 text-xs dark:bg-gray-900" aria-label={t('webhooks.payload')}>{JSON.stringify(d.payload, null, 2)}</pre>}
                </td>
                <td className="px-2 py-1 font-mono whitespace-nowrap" data-testid="delivery-phone">{d.phone ?? '—'}</td>
                <td className="px-2 py-1" data-testid="delivery-organization">
                  {d.organizationId === null ? t('webhooks.global') : (d.organizationName ?? `#${d.organizationId}`)}
                  <span className="block text-xs text-gray-700 [overflow-wrap:anywhere] dark:text-gray-300">{d.url}</span>
                </td>
                <td className={`px-2 py-1 ${statusClass[d.status]}`} data-testid="delivery-status">{t(`webhooks.status.${d.status}` as MessageKey)}</td>
                {/* Attempts made so far; "Send again" adds a fresh budget, so a "n of max" would read 4/6 (issue 27.15). */}
                <td className="px-2 py-1 tabular-nums" data-testid="delivery-attempts">{d.attempts}</td>
                <td className="px-2 py-1 whitespace-nowrap" data-testid="delivery-next">{d.nextAttemptAt ? <RelativeTime iso={d.nextAttemptAt} /> : '—'}</td>
                <td className="px-2 py-1">{d.lastError ?? '—'}</td>
                <td className="px-2 py-1">
                  {role === 'admin' && (
                    <button type="button" disabled={again.isPending || d.status === 'pending'} onClick={() => again.mutate(d.id)} data-testid="delivery-send-again"
                      className="rounded border border-gray-300 px-2 py-0.5 text-xs disabled:opacity-50 dark:border-gray-700">{t('webhooks.sendAgain')}</button>
                  )}
                </td>
              </tr>
            ))}
          </Table>
        )}</QueryView>
      </div>
    </section>
  );
}
