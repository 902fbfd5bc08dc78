'use client';

import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import type { UserRow } from '@/lib/auth/user-admin';
import type { Role } from '@/lib/auth/roles';
import { queryKeys } from '@/lib/ui/query-keys';
import { fetchJson } from '@/lib/ui/fetch-json';
import { serverMessage } from '@/lib/ui/i18n';
import { RelativeTime } from '../ui/RelativeTime';
import { errorMessage } from '@/lib/ui/session-text';
import { useUi } from '../providers';
import { QueryView } from '../ui/QueryView';
import { hiddenHeader, ROW, Table } from '../ui/Table';
import { ConfirmDialog } from '../ui/ConfirmDialog';
import { useToast } from '../ui/Toast';
import { OneTimeSecret } from '../ui/OneTimeSecret';
import { SubmitButton } from '../ui/SubmitButton';

const input = 'mt-1 block rounded border border-gray-400 px-2 py-1 dark:border-gray-500 dark:bg-gray-950';
const small = 'min-h-7 rounded border px-2 py-0.5 text-xs disabled:opacity-50';

/** Admins invite users (a one-time password shown once), change roles, sign users out, delete them. */
export function UsersManager({ currentUserId }: { currentUserId: number | null }) {
  const { t, role } = useUi();
  const toast = useToast();
  const client = useQueryClient();
  const [invited, setInvited] = useState<{ email: string; password: string } | null>(null);
  const [deleting, setDeleting] = useState<UserRow | null>(null);
  const users = useQuery({ queryKey: queryKeys.users(), queryFn: () => fetchJson<UserRow[]>('/api/users'), enabled: role === 'admin' });
  const refresh = () => void client.invalidateQueries({ queryKey: queryKeys.users() });
  const failed = (err: Error) => toast('error', t('toast.failed', { error: errorMessage(t, err) }));
  const done = (res: { message: string }) => {
    toast('success', serverMessage(t, res.message));
    refresh();
  };
  const invite = useMutation({
    mutationFn: (body: { email: string; role: Role; name?: string }) =>
      fetchJson<{ user: { email: string }; password: string }>('/api/users', { method: 'POST', body }),
    onSuccess: (res) => {
      setInvited({ email: res.user.email, password: res.password });
      refresh();
    },
    onError: failed,
  });
  const changeRole = useMutation({
    mutationFn: (v: { id: number; role: Role }) => fetchJson<{ message: string }>(`/api/users/${v.id}`, { method: 'PATCH', body: { role: v.role } }),
    onSuccess: done,
    onError: failed,
  });
  const signOut = useMutation({
    mutationFn: (id: number) => fetchJson<{ message: string }>(`/api/users/${id}/sign-out`, { method: 'POST' }),
    onSuccess: done,
    onError: failed,
  });
  const remove = useMutation({
    mutationFn: (id: number) => fetchJson<{ message: string }>(`/api/users/${id}`, { method: 'DELETE' }),
    onSuccess: (res) => {
      setDeleting(null);
      done(res);
    },
    onError: failed,
  });
  if (role !== 'admin') return <p className="text-sm text-gray-700 dark:text-gray-300">{t('users.adminOnly')}</p>;

  const onSubmit = (e: FormEvent<HTMLFormElement>) => {
    e.preventDefault();
    const form = new FormData(e.currentTarget);
    const name = String(form.get('name') ?? '').trim();
    invite.mutate({ email: String(form.get('email') ?? ''), role: String(form.get('role')) as Role, ...(name ? { name } : {}) });
    e.currentTarget.reset();
  };
  const busy = changeRole.isPending || signOut.isPending || remove.isPending;
  return (
    <section className="space-y-4">
      <h1 className="text-xl font-semibold">{t('users.title')}</h1>
      <form onSubmit={onSubmit} className="flex flex-wrap items-end gap-3">
        <label className="text-sm">{t('users.email')}
          <input name="email" type="email" required maxLength={200} data-testid="user-email" className={input} />
        </label>
        <label className="text-sm">{t('users.name')}
          <input name="name" maxLength={100} data-testid="user-name" className={input} />
        </label>
        <label className="text-sm">{t('users.role')}
          <select name="role" defaultValue="viewer" data-testid="user-role" className={input}>
            <option value="viewer">{t('role.viewer')}</option>
            <option value="admin">{t('role.admin')}</option>
          </select>
        </label>
        <SubmitButton pending={invite.isPending} testId="user-invite">{t('users.invite')}</SubmitButton>
      </form>
      {invited && (
        <OneTimeSecret message={t('users.invited', { email: invited.email })} value={invited.password} testId="user-invited" valueTestId="user-password" copyTestId="user-password-copy" />
      )}
      {deleting && (
        <ConfirmDialog title={t('users.deleteTitle', { email: deleting.email })} body={t('users.deleteBody')}
          danger pending={remove.isPending} onConfirm={() => remove.mutate(deleting.id)} onCancel={() => setDeleting(null)} />
      )}
      <QueryView query={users} hasRows={(d) => d.length > 0} empty={t('users.empty')}>{(data) => (
        <Table testId="users-table" headers={[t('users.email'), t('users.role'), t('users.lastLogin'), hiddenHeader(t('col.actions'))]}>
          {data.map((u) => (
            <tr key={u.id} className={ROW} data-testid={`user-row-${u.email}`}>
              <td className="px-2 py-1">{u.email}{u.name ? <span className="text-gray-700 dark:text-gray-300"> · {u.name}</span> : null}{u.id === currentUserId ? <span className="text-gray-700 dark:text-gray-300"> ({t('users.you')})</span> : null}</td>
              <td className="px-2 py-1" data-testid="user-row-role">{t(`role.${u.role}`)}</td>
              <td className="px-2 py-1 whitespace-nowrap"><RelativeTime iso={u.lastLoginAt} empty={t('never')} /></td>
              <td className="px-2 py-1">
                <div className="flex flex-wrap gap-1">
                  <button type="button" disabled={busy} data-testid="user-toggle-role" className={`${small} border-gray-400 dark:border-gray-500`}
                    onClick={() => changeRole.mutate({ id: u.id, role: u.role === 'admin' ? 'viewer' : 'admin' })}>
                    {u.role === 'admin' ? t('users.makeViewer') : t('users.makeAdmin')}
                  </button>
                  <button type="button" disabled={busy} data-testid="user-sign-out" className={`${small} border-gray-400 dark:border-gray-500`} onClick={() => signOut.mutate(u.id)}>{t('users.signOut')}</button>
                  <button type="button" disabled={busy} data-testid="user-delete" className={`${small} border-red-400 text-red-800 dark:border-red-500 dark:text-red-200`} onClick={() => setDeleting(u)}>{t('users.delete')}</button>
                </div>
              </td>
            </tr>
          ))}
        </Table>
      )}</QueryView>
    </section>
  );
}
