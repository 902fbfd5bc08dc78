import type { Metadata } from 'next';
import { requestLocale } from '@/app/server-locale';
import { translator } from '@/lib/ui/i18n';
import { notFound } from 'next/navigation';
import { getSessionDetail } from '@/lib/phones/service';
import { listAudit } from '@/lib/audit';
import { getDb } from '@/lib/db/client';
import { NotFoundError } from '@/lib/errors';
import { SessionDetail } from '@/components/sessions/SessionDetail';
import { consoleActor } from '../../console-actor';

export const dynamic = 'force-dynamic';

export async function generateMetadata({ params }: { params: Promise<{ id: string }> }): Promise<Metadata> {
  const { id } = await params;
  const t = translator(await requestLocale());
  const row = /^\d{1,10}$/.test(id) && Number(id) <= 2_147_483_647 ? await getDb().organizationPhone.findUnique({ where: { id: Number(id) }, select: { phoneJid: true } }) : null;
  return { title: row ? `${t('detail.title', { phone: '+' + row.phoneJid.split('@')[0] })} · ${t('app.title')}` : `${t('notFound.title')} · ${t('app.title')}` };
}

export default async function SessionPage({ params }: { params: Promise<{ id: string }> }) {
  await consoleActor();
  const { id: raw } = await params;
  const id = Number(raw);
  if (!/^\d+$/.test(raw) || id < 1 || id > 2_147_483_647) notFound();
  const detail = await getSessionDetail(id).catch((err) => {
    if (err instanceof NotFoundError) return null;
    throw err;
  });
  if (!detail) notFound();
  const audit = await listAudit(getDb(), { limit: 50, targetType: 'phone', targetId: String(id) });
  return <SessionDetail initial={detail} audit={audit.items} />;
}
