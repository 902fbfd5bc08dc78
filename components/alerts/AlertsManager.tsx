'use client';

// The Alerts page (issue 26 item 7): open and recent incidents (filtered by state and phone,
// paged), acknowledge one, mute a phone for a time and unmute it, send a test alert, and each
// organization's own recipients. Refreshed every 5 s like the Webhooks page.
import Link from 'next/link';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import type { IncidentDto } from '@/lib/alerts/service';
import type { TestResult } from '@/lib/alerts/alerter';
import { queryKeys } from '@/lib/ui/query-keys';
import { fetchJson } from '@/lib/ui/fetch-json';
import { formatDate, type MessageKey } from '@/lib/ui/i18n';
import { RelativeTime } from '../ui/RelativeTime';
import { useUi } from '../providers';
import { QueryView } from '../ui/QueryView';
import { ROW, Table } from '../ui/Table';
import { useToast } from '../ui/Toast';

interface MutedPhone {
  phoneId: number;
  phoneJid: string;
  label: string | null;
  organizationId: number;
  mutedUntil: string | null;
}
interface Organization {
  id: number;
  name: string;
}
type StateFilter = 'open' | 'resolved' | 'all';

const MUTE_MINUTES = [60, 480, 1440, 10080] as const;
// max-w-full: a long option (an organization's name) never widens a phone screen.
const INPUT = 'min-h-7 max-w-full rounded border border-gray-400 px-2 py-1 text-sm dark:border-gray-500 dark:bg-gray-950';
const BUTTON = 'min-h-7 rounded border border-gray-400 px-2 py-0.5 text-sm disabled:opacity-50 dark:border-gray-500';
const PRIMARY = 'min-h-7 rounded bg-emerald-700 px-3 py-1 text-sm font-medium text-white disabled:opacity-60';

const number = (jid: string | null) => (jid ? '+' + jid.split('@')[0].split(':')[0] : '');

function RecipientsForm({ org }: { org: Organization }) {
  const { t } = useUi();
  const toast = useToast();
  const client = useQueryClient();
  const key = queryKeys.alertRecipients(org.id);
  const recipients = useQuery({ queryKey: key, queryFn: () => fetchJson<{ emails: string[] }>(`/api/organizations/${org.id}/alert-recipients`) });
  const save = useMutation({
    mutationFn: (emails: string[]) => fetchJson<{ emails: string[] }>(`/api/organizations/${org.id}/alert-recipients`, { method: 'PUT', body: { emails } }),
    onSuccess: (data) => {
      client.setQueryData(key, data);
      toast('success', t('alerts.recipientsSaved'));
    },
    onError: (err: Error) => toast('error', t('toast.failed', { error: err.message })),
  });
  const onSubmit = (e: FormEvent<HTMLFormElement>) => {
    e.preventDefault();
    const text = String(new FormData(e.currentTarget).get('emails') ?? '');
    save.mutate(text.split(/[,;\s]+/).map((s) => s.trim()).filter(Boolean));
  };
  if (recipients.isLoading) return <p className="text-sm">{t('loading')}</p>;
  return (
    <form onSubmit={onSubmit} className="flex flex-wrap items-end gap-2" data-testid={`alert-recipients-${org.name}`}>
      <label className="flex min-w-64 flex-1 flex-col text-sm">
        <span className="font-medium">{org.name}</span>
        <input name="emails" type="text" defaultValue={recipients.data?.emails.join(', ') ?? ''} placeholder="ops@example.com, oncall@example.com" maxLength={5000}
          aria-label={t('alerts.recipientsFor', { org: org.name })} className={`${INPUT} mt-1`} data-testid="alert-recipients-input" />
      </label>
      <button type="submit" disabled={save.isPending} className={PRIMARY} data-testid="alert-recipients-save">{t('alerts.recipientsSave')}</button>
    </form>
  );
}

function MuteControl({ incident, onMute, busy }: { incident: IncidentDto; onMute: (minutes: number) => void; busy: boolean }) {
  const { t } = useUi();
  const [minutes, setMinutes] = useState<number>(MUTE_MINUTES[0]);
  const phone = number(incident.phoneJid) || `#${incident.phoneId}`;
  return (
    <span className="inline-flex items-center gap-1">
      <select aria-label={t('alerts.muteFor', { phone })} value={minutes} onChange={(e) => setMinutes(Number(e.target.value))} className={INPUT} data-testid={`mute-minutes-${incident.id}`}>
        {MUTE_MINUTES.map((m) => <option key={m} value={m}>{t(`alerts.duration.${m}` as MessageKey)}</option>)}
      </select>
      <button type="button" disabled={busy} onClick={() => onMute(minutes)} className={BUTTON} data-testid={`mute-${incident.id}`}>{t('alerts.mute')}</button>
    </span>
  );
}

export function AlertsManager() {
  const { t, locale, role } = useUi();
  const toast = useToast();
  const client = useQueryClient();
  const admin = role === 'admin';
  const [state, setState] = useState<StateFilter>('all');
  const [phoneId, setPhoneId] = useState('');
  const [cursors, setCursors] = useState<number[]>([]);
  const [testOrg, setTestOrg] = useState('');
  const before = cursors.at(-1);
  const params = new URLSearchParams({ limit: '50', state });
  if (/^\d{1,10}$/.test(phoneId) && Number(phoneId) > 0) params.set('phoneId', phoneId);
  if (before) params.set('before', String(before));
  const query = params.toString();

  const incidents = useQuery({
    queryKey: queryKeys.alertIncidents(query),
    queryFn: () => fetchJson<{ items: IncidentDto[]; nextCursor: number | null }>(`/api/alerts/incidents?${query}`),
    refetchInterval: 5000,
  });
  const mutes = useQuery({ queryKey: queryKeys.alertMutes(), queryFn: () => fetchJson<MutedPhone[]>('/api/alerts/mutes'), refetchInterval: 5000 });
  const orgs = useQuery({ queryKey: queryKeys.organizations(), queryFn: () => fetchJson<Organization[]>('/api/organizations'), enabled: admin });
  const refresh = () => client.invalidateQueries({ queryKey: queryKeys.alerts() });
  const failed = (err: Error) => toast('error', t('toast.failed', { error: err.message }));

  const ack = useMutation({
    mutationFn: (id: number) => fetchJson<IncidentDto>(`/api/alerts/incidents/${id}/acknowledge`, { method: 'POST' }),
    onSuccess: () => {
      toast('success', t('alerts.acknowledgedToast'));
      void refresh();
    },
    onError: failed,
  });
  const mute = useMutation({
    mutationFn: (v: { phoneId: number; minutes: number; phone: string }) => fetchJson<MutedPhone>(`/api/alerts/mutes/${v.phoneId}`, { method: 'PUT', body: { minutes: v.minutes } }),
    onSuccess: (data, v) => {
      toast('success', t('alerts.mutedToast', { phone: v.phone, until: formatDate(locale, data.mutedUntil) }));
      void refresh();
    },
    onError: failed,
  });
  const unmute = useMutation({
    mutationFn: (v: { phoneId: number; phone: string }) => fetchJson(`/api/alerts/mutes/${v.phoneId}`, { method: 'DELETE' }),
    onSuccess: (_data, v) => {
      toast('success', t('alerts.unmutedToast', { phone: v.phone }));
      void refresh();
    },
    onError: failed,
  });
  const test = useMutation({
    mutationFn: () => fetchJson<TestResult>('/api/alerts/test', { method: 'POST', body: testOrg ? { organizationId: Number(testOrg) } : {} }),
    onSuccess: (r) => {
      const text = t('alerts.testResult', { email: t(`alerts.channel.${r.email}`), webhook: t(`alerts.channel.${r.webhook}`) });
      toast(r.email === 'sent' || r.webhook === 'sent' ? 'success' : 'error', text);
    },
    onError: failed,
  });

  const setFilter = (f: () => void) => {
    f();
    setCursors([]);
  };
  const who = (i: IncidentDto) => (i.phoneId === null ? t('alerts.node', { id: i.nodeId ?? '?' }) : number(i.phoneJid) || `#${i.phoneId}`);
  const page = incidents.data;

  return (
    <section className="space-y-6">
      <h1 className="text-xl font-semibold">{t('alerts.title')}</h1>

      <div className="space-y-2">
        <h2 className="font-semibold">{t('alerts.incidents')}</h2>
        <div className="flex flex-wrap items-center gap-2">
          <select aria-label={t('alerts.filter.state')} value={state} onChange={(e) => setFilter(() => setState(e.target.value as StateFilter))} className={INPUT} data-testid="alerts-filter-state">
            {(['all', 'open', 'resolved'] as const).map((s) => <option key={s} value={s}>{t('alerts.filter.state')}: {t(`alerts.state.${s}`)}</option>)}
          </select>
          <input type="text" inputMode="numeric" pattern="[0-9]*" aria-label={t('alerts.filter.phone')} placeholder={t('alerts.filter.phone')} value={phoneId}
            onChange={(e) => setFilter(() => setPhoneId(e.target.value.replace(/\D/g, '')))} className={`${INPUT} w-32`} data-testid="alerts-filter-phone" />
        </div>
        <QueryView query={incidents} hasRows={(d) => d.items.length > 0} empty={t('alerts.empty')} emptyTestId="incidents-empty">{(data) => (
          <Table testId="incidents-table" headers={[t('alerts.opened'), t('alerts.alert'), t('alerts.subject'), t('alerts.reason'), t('alerts.stateCol'), t('alerts.notified'), t('alerts.acknowledged'), ...(admin ? [t('alerts.actions')] : [])]}>
            {data.items.map((i) => (
              <tr key={i.id} className={`${ROW} align-top`} data-testid={`incident-${i.id}`}>
                <td className="px-2 py-1 whitespace-nowrap"><RelativeTime iso={i.openedAt} /></td>
                <td className="px-2 py-1 font-medium">{t(`alerts.kind.${i.kind}`)}</td>
                <td className="px-2 py-1 whitespace-nowrap">
                  {i.phoneId === null ? who(i) : (
                    <Link href={`/sessions/${i.phoneId}`} className="inline-block min-h-6 text-emerald-800 underline-offset-2 hover:underline dark:text-emerald-300">{who(i)}</Link>
                  )}
                  {i.mutedUntil && <div className="text-xs text-amber-800 dark:text-amber-300" data-testid="incident-muted">{t('alerts.mutedUntil', { until: formatDate(locale, i.mutedUntil) })}</div>}
                </td>
                <td className="max-w-md px-2 py-1 break-words">{i.reason ?? '—'}</td>
                <td className={`px-2 py-1 ${i.state === 'open' ? 'text-red-700 dark:text-red-400' : 'text-emerald-700 dark:text-emerald-400'}`} data-testid="incident-state">
                  {t(`alerts.state.${i.state}`)}
                  {i.resolvedAt && <div className="text-xs text-gray-700 dark:text-gray-300">{t('alerts.resolvedAt', { at: formatDate(locale, i.resolvedAt) })}</div>}
                </td>
                <td className="px-2 py-1 text-xs">{i.notifiedAt ? t('alerts.sent', { at: formatDate(locale, i.notifiedAt) }) : t('alerts.notSent')}</td>
                <td className="px-2 py-1 text-xs" data-testid="incident-ack">{i.acknowledgedAt ? t('alerts.ackBy', { by: i.acknowledgedBy ?? '?', at: formatDate(locale, i.acknowledgedAt) }) : '—'}</td>
                {admin && (
                  <td className="px-2 py-1">
                    <span className="flex flex-wrap gap-1">
                      {!i.acknowledgedAt && (
                        <button type="button" disabled={ack.isPending} onClick={() => ack.mutate(i.id)} aria-label={t('alerts.acknowledgeFor', { id: i.id })} className={BUTTON} data-testid={`ack-${i.id}`}>
                          {t('alerts.acknowledge')}
                        </button>
                      )}
                      {i.phoneId !== null && (i.mutedUntil ? (
                        <button type="button" disabled={unmute.isPending} onClick={() => unmute.mutate({ phoneId: i.phoneId!, phone: who(i) })} aria-label={t('alerts.unmuteFor', { phone: who(i) })} className={BUTTON} data-testid={`unmute-${i.id}`}>
                          {t('alerts.unmute')}
                        </button>
                      ) : (
                        <MuteControl incident={i} busy={mute.isPending} onMute={(minutes) => mute.mutate({ phoneId: i.phoneId!, minutes, phone: who(i) })} />
                      ))}
                    </span>
                  </td>
                )}
              </tr>
            ))}
          </Table>
        )}</QueryView>
        <div className="flex gap-2">
          {cursors.length > 0 && <button type="button" onClick={() => setCursors([])} className={BUTTON}>{t('alerts.newest')}</button>}
          {page?.nextCursor && <button type="button" onClick={() => setCursors([...cursors, page.nextCursor!])} className={BUTTON} data-testid="incidents-older">{t('alerts.older')}</button>}
        </div>
      </div>

      <div className="space-y-2">
        <h2 className="font-semibold">{t('alerts.mutes')}</h2>
        <p className="text-sm text-gray-700 dark:text-gray-300">{t('alerts.mutesHelp')}</p>
        <QueryView query={mutes} hasRows={(d) => d.length > 0} empty={t('alerts.mutesEmpty')}>{(data) => (
          <ul className="space-y-1 text-sm" data-testid="mutes-list">
            {data.map((m) => (
              <li key={m.phoneId} className="flex flex-wrap items-center gap-2">
                <Link href={`/sessions/${m.phoneId}`} className="inline-block min-h-6 text-emerald-800 underline-offset-2 hover:underline dark:text-emerald-300">{number(m.phoneJid)}</Link>
                {m.label && <span>{m.label}</span>}
                <span className="text-gray-700 dark:text-gray-300">{t('alerts.mutedUntil', { until: formatDate(locale, m.mutedUntil) })}</span>
                {admin && (
                  <button type="button" disabled={unmute.isPending} onClick={() => unmute.mutate({ phoneId: m.phoneId, phone: number(m.phoneJid) })} aria-label={t('alerts.unmuteFor', { phone: number(m.phoneJid) })} className={BUTTON} data-testid={`mutes-unmute-${m.phoneId}`}>
                    {t('alerts.unmute')}
                  </button>
                )}
              </li>
            ))}
          </ul>
        )}</QueryView>
      </div>

      {admin && (
        <div className="space-y-2">
          <h2 className="font-semibold">{t('alerts.test')}</h2>
          <p className="text-sm text-gray-700 dark:text-gray-300">{t('alerts.testHelp')}</p>
          <div className="flex flex-wrap items-center gap-2">
            <select aria-label={t('alerts.testTo')} value={testOrg} onChange={(e) => setTestOrg(e.target.value)} className={INPUT} data-testid="alert-test-to">
              <option value="">{t('alerts.testTo')}: {t('alerts.testGlobal')}</option>
              {(orgs.data ?? []).map((o) => <option key={o.id} value={String(o.id)}>{t('alerts.testTo')}: {o.name}</option>)}
            </select>
            <button type="button" disabled={test.isPending} onClick={() => test.mutate()} className={PRIMARY} data-testid="alert-test-send">{t('alerts.testSend')}</button>
          </div>
        </div>
      )}

      {admin && !!orgs.data?.length && (
        <div className="space-y-2">
          <h2 className="font-semibold">{t('alerts.recipients')}</h2>
          <p className="text-sm text-gray-700 dark:text-gray-300">{t('alerts.recipientsHelp')}</p>
          {orgs.data.map((org) => <RecipientsForm key={org.id} org={org} />)}
        </div>
      )}
    </section>
  );
}
