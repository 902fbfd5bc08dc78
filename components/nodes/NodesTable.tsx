'use client';

import { useQuery } from '@tanstack/react-query';
import type { FleetNodesDto } from '@/lib/api/operations/monitoring';
import { fetchJson } from '@/lib/ui/fetch-json';
import { formatNumber } from '@/lib/ui/i18n';
import { errorMessage } from '@/lib/ui/session-text';
import { queryKeys } from '@/lib/ui/query-keys';
import { useUi } from '../providers';
import { CARD_CELL, CARD_ROW, EmptyNote, Table } from '../ui/Table';

// On a phone screen each node becomes a card; the header's labels move into the cells.
const CELL = `px-3 ${CARD_CELL}`;
/** Leases are renewed every few seconds: the page follows them about as often. */
const REFRESH_MS = 2000;

const seconds = (ms: number) => Math.round(ms / 100) / 10;

/** The fleet's live nodes: lease, phones, capacity (issue 27.9); read again every 2 s. */
export function NodesTable({ initial }: { initial: FleetNodesDto }) {
  const { t, locale } = useUi();
  const nodes = useQuery({ queryKey: queryKeys.nodes(), queryFn: () => fetchJson<FleetNodesDto>('/api/nodes'), initialData: initial, refetchInterval: REFRESH_MS });
  const data = nodes.data;
  const n = (v: number) => formatNumber(locale, v);
  return (
    <section className="space-y-4">
      <h1 className="text-xl font-semibold">{t('nodes.title')}</h1>
      <p className="max-w-3xl text-sm text-gray-700 dark:text-gray-300">
        {t('nodes.intro')} {t('nodes.lease', { n: n(seconds(data.leaseTtlMs)) })}
      </p>
      {nodes.isError && (
        <p role="alert" data-testid="nodes-error" className="rounded border border-red-300 bg-red-50 px-3 py-2 text-sm text-red-900 dark:border-red-800 dark:bg-red-950 dark:text-red-100">
          {t('error.load', { error: errorMessage(t, nodes.error) })}
        </p>
      )}
      {data.nodes.length === 0 ? (
        <EmptyNote testId="nodes-empty">{t('nodes.empty')}</EmptyNote>
      ) : (
        <Table testId="nodes-table" cards headers={(['nodes.col.node', 'nodes.col.state', 'nodes.col.phones', 'nodes.col.capacity', 'nodes.col.leaseAge', 'nodes.col.leaseEnds'] as const).map((k) => t(k))}>
          {data.nodes.map((node) => (
            <tr key={node.id} data-testid={`node-row-${node.id}`} data-self={node.self || undefined} className={CARD_ROW}>
              <td data-label={t('nodes.col.node')} className={`${CELL} font-mono [overflow-wrap:anywhere]`}>
                {node.id}
                {node.self && <span className="ml-2 rounded bg-gray-100 px-1.5 py-0.5 font-sans text-xs text-gray-800 dark:bg-gray-800 dark:text-gray-200">{t('nodes.self')}</span>}
              </td>
              <td data-label={t('nodes.col.state')} className={CELL} data-testid={`node-state-${node.id}`} data-state={node.state}>
                <span className={node.state === 'live' ? 'text-emerald-800 dark:text-emerald-300' : 'font-medium text-orange-900 dark:text-orange-200'}>{t(`nodes.state.${node.state}`)}</span>
              </td>
              <td data-label={t('nodes.col.phones')} className={`${CELL} tabular-nums`} data-testid={`node-phones-${node.id}`}>{n(node.phones)}</td>
              <td data-label={t('nodes.col.capacity')} className={`${CELL} tabular-nums`} data-testid={`node-capacity-${node.id}`}>{n(node.capacity)}</td>
              <td data-label={t('nodes.col.leaseAge')} className={`${CELL} tabular-nums`}>{t('nodes.ago', { n: n(seconds(node.leaseAgeMs)) })}</td>
              <td data-label={t('nodes.col.leaseEnds')} className={`${CELL} tabular-nums`}>{t('nodes.in', { n: n(seconds(node.leaseEndsInMs)) })}</td>
            </tr>
          ))}
        </Table>
      )}
    </section>
  );
}
