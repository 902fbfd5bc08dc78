'use client';

import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import type { TokenInfo } from '@/lib/auth/tokens';
import { queryKeys } from '@/lib/ui/query-keys';
import { fetchJson } from '@/lib/ui/fetch-json';
import { serverMessage } from '@/lib/ui/i18n';
import { RelativeTime } from '../ui/RelativeTime';
import { useUi } from '../providers';
import { QueryView } from '../ui/QueryView';
import { hiddenHeader, ROW, Table } from '../ui/Table';
import { ConfirmDialog } from '../ui/ConfirmDialog';
import { errorMessage } from '@/lib/ui/session-text';
import { useToast } from '../ui/Toast';
import { OneTimeSecret } from '../ui/OneTimeSecret';
import { SubmitButton } from '../ui/SubmitButton';

export function TokensManager() {
  const { t, role } = useUi();
  const toast = useToast();
  const client = useQueryClient();
  const [created, setCreated] = useState<string | null>(null);
  const [revoking, setRevoking] = useState<TokenInfo | null>(null);
  const tokens = useQuery({ queryKey: queryKeys.tokens(), queryFn: () => fetchJson<TokenInfo[]>('/api/tokens'), enabled: role === 'admin' });
  const create = useMutation({
    mutationFn: (body: { name: string; scopes: string[] }) => fetchJson<{ token: string }>('/api/tokens', { method: 'POST', body }),
    onSuccess: (res) => {
      setCreated(res.token);
      void client.invalidateQueries({ queryKey: queryKeys.tokens() });
    },
    onError: (err: Error) => toast('error', t('toast.failed', { error: errorMessage(t, err) })),
  });
  const revoke = useMutation({
    mutationFn: (id: number) => fetchJson<{ message: string }>(`/api/tokens/${id}`, { method: 'DELETE' }),
    onSuccess: (res) => {
      toast('success', serverMessage(t, res.message));
      setRevoking(null);
      void client.invalidateQueries({ queryKey: queryKeys.tokens() });
    },
    onError: (err: Error) => toast('error', t('toast.failed', { error: errorMessage(t, err) })),
  });
  if (role !== 'admin') return <p className="text-sm text-gray-700 dark:text-gray-300">{t('tokens.adminOnly')}</p>;
  const onSubmit = (e: FormEvent<HTMLFormElement>) => {
    e.preventDefault();
    const form = new FormData(e.currentTarget);
    const scope = String(form.get('scope') ?? 'read');
    // `messages` (message content) comes with `read`: such a token reads everything else as a viewer.
    create.mutate({ name: String(form.get('name') ?? ''), scopes: scope === 'messages' ? ['read', 'messages'] : [scope] });
    e.currentTarget.reset();
  };
  return (
    <section className="space-y-4">
      <h1 className="text-xl font-semibold">{t('tokens.title')}</h1>
      <form onSubmit={onSubmit} className="flex flex-wrap items-end gap-3">
        <label className="text-sm">{t('tokens.name')}
          <input name="name" required maxLength={100} data-testid="token-name" className="mt-1 block rounded border border-gray-400 px-2 py-1 dark:border-gray-500 dark:bg-gray-950" />
        </label>
        <label className="text-sm">{t('tokens.scope')}
          <select name="scope" defaultValue="read" data-testid="token-scope" className="mt-1 block rounded border border-gray-400 px-2 py-1 dark:border-gray-500 dark:bg-gray-950">
            <option value="read">read</option>
            <option value="messages">read, messages</option>
            <option value="admin">admin</option>
          </select>
        </label>
        <SubmitButton pending={create.isPending} testId="token-create">{t('tokens.create')}</SubmitButton>
      </form>
      {created && (
        <OneTimeSecret message={t('tokens.created')} value={created} valueTestId="token-value" copyTestId="token-copy" />
      )}
      <QueryView query={tokens} hasRows={(d) => d.length > 0} empty={t('tokens.empty')}>{(data) => (
        <Table testId="tokens-table" headers={[t('tokens.name'), t('tokens.scope'), t('tokens.lastUsed'), hiddenHeader(t('col.actions'))]}>
          {data.map((tok) => (
            <tr key={tok.id} className={ROW} data-testid={`token-row-${tok.name}`}>
              <td className="px-2 py-1">{tok.name} <code className="text-xs text-gray-700 dark:text-gray-300">{tok.prefix}…</code></td>
              <td className="px-2 py-1">{tok.scopes.join(', ')}</td>
              <td className="px-2 py-1 whitespace-nowrap"><RelativeTime iso={tok.lastUsedAt} empty={t('never')} /></td>
              <td className="px-2 py-1">
                {tok.revokedAt ? <span className="text-gray-700 dark:text-gray-300">{t('tokens.revoked')}</span> : (
                  <button type="button" onClick={() => setRevoking(tok)} disabled={revoke.isPending} data-testid={`token-revoke-${tok.id}`} className="min-h-7 rounded border border-red-400 px-2 py-0.5 text-xs text-red-800 disabled:opacity-50 dark:border-red-500 dark:text-red-200">{t('tokens.revoke')}</button>
                )}
              </td>
            </tr>
          ))}
        </Table>
      )}</QueryView>
      {revoking && (
        <ConfirmDialog title={t('tokens.revokeTitle', { name: revoking.name })} body={t('tokens.revokeBody')}
          danger pending={revoke.isPending} onConfirm={() => revoke.mutate(revoking.id)} onCancel={() => setRevoking(null)} />
      )}
    </section>
  );
}
