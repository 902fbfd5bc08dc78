// What an alert says: the e-mail (subject, text, HTML) and the webhook `alert` payload for one
// message. Pure. Mails are in English (the recipients' language is not known); the Alerts page
// speaks the admin's language.
import type { AlertKind, AlertMessage, IncidentView, Notice } from './policy';

const KIND_TITLE: Record<AlertKind, string> = {
  critical: 'critical',
  auto_closed: 'auto-closed',
  logged_out: 'logged out',
  banned: 'banned',
  restricted: 'restricted',
  unresponsive: 'unresponsive',
  below_objective: 'below its uptime objective',
  node_lost: 'node lost',
};

/** "+77050000001" from a phone JID. */
export function phoneNumber(jid: string | null): string | null {
  return jid ? '+' + jid.split('@')[0].split(':')[0] : null;
}

/** The page an operator opens for this incident: the phone's page, or the Alerts page. */
export function incidentLink(baseUrl: string, i: Pick<IncidentView, 'phoneId'>): string {
  return i.phoneId !== null ? `${baseUrl}/sessions/${i.phoneId}` : `${baseUrl}/alerts`;
}

function subjectOf(i: IncidentView): string {
  return i.kind === 'node_lost' ? `node ${i.nodeId} lost` : `${phoneNumber(i.phoneJid) ?? `phone ${i.phoneId}`} ${KIND_TITLE[i.kind]}`;
}

function noticeLine(n: Notice, baseUrl: string): string {
  const i = n.incident;
  const who = i.kind === 'node_lost' ? `node ${i.nodeId}` : (phoneNumber(i.phoneJid) ?? `phone ${i.phoneId}`);
  return `${n.phase === 'resolved' ? 'RESOLVED' : 'FIRING'}  ${who}  ${KIND_TITLE[i.kind]}${i.reason ? `: ${i.reason}` : ''}  ${incidentLink(baseUrl, i)}`;
}

const escapeHtml = (s: string) => s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);

export interface RenderedMail {
  subject: string;
  text: string;
  html: string;
}

export function renderMail(message: AlertMessage, baseUrl: string): RenderedMail {
  if (message.kind === 'test') {
    const text = `This is a test alert from the WhatsApp session console (${baseUrl}).\nAlerts for your phones will arrive like this one.\n\nAlerts: ${baseUrl}/alerts\n`;
    return { subject: '[TEST] WhatsApp console alert', text, html: `<p>This is a test alert from the WhatsApp session console.</p><p><a href="${escapeHtml(baseUrl)}/alerts">Alerts</a></p>` };
  }
  if (message.kind === 'digest') {
    const firing = message.notices.filter((n) => n.phase === 'firing').length;
    const resolved = message.notices.length - firing;
    const parts = [firing ? `${firing} firing` : null, resolved ? `${resolved} resolved` : null].filter(Boolean).join(', ');
    const subject = `[DIGEST] ${message.notices.length} alerts at once (${parts})`;
    const lines = message.notices.map((n) => noticeLine(n, baseUrl));
    const text = `${message.notices.length} alerts at once (${parts}):\n\n${lines.join('\n')}\n\nAll incidents: ${baseUrl}/alerts\n`;
    const rows = message.notices
      .map((n) => {
        const i = n.incident;
        const link = incidentLink(baseUrl, i);
        return `<tr><td>${n.phase}</td><td><a href="${escapeHtml(link)}">${escapeHtml(i.kind === 'node_lost' ? `node ${i.nodeId}` : (phoneNumber(i.phoneJid) ?? `phone ${i.phoneId}`))}</a></td><td>${KIND_TITLE[i.kind]}</td><td>${escapeHtml(i.reason ?? '')}</td></tr>`;
      })
      .join('');
    const html = `<p>${message.notices.length} alerts at once (${parts}).</p><table>${rows}</table><p><a href="${escapeHtml(baseUrl)}/alerts">All incidents</a></p>`;
    return { subject, text, html };
  }
  const { phase, incident: i } = message.notice;
  const link = incidentLink(baseUrl, i);
  const subject = `[${phase === 'resolved' ? 'RESOLVED' : 'ALERT'}] ${subjectOf(i)}`;
  const lines = [
    i.kind === 'node_lost' ? `Node: ${i.nodeId}` : `Phone: ${phoneNumber(i.phoneJid) ?? i.phoneId}`,
    `Alert: ${KIND_TITLE[i.kind]}`,
    `Reason: ${i.reason ?? '—'}`,
    `Since: ${i.openedAt}`,
    ...(phase === 'resolved' && i.resolvedAt ? [`Resolved: ${i.resolvedAt}`] : []),
    '',
    `Open: ${link}`,
  ];
  const html = `<p>${lines
    .filter((l) => l && !l.startsWith('Open: '))
    .map(escapeHtml)
    .join('<br>')}</p><p><a href="${escapeHtml(link)}">${escapeHtml(link)}</a></p>`;
  return { subject, text: lines.join('\n') + '\n', html };
}

/** The webhook `alert` event's payload (see docs/webhooks.md). */
export function alertPayload(message: AlertMessage, baseUrl: string, now: Date) {
  const incident = (n: Notice) => ({ ...n.incident, status: n.phase, phone: phoneNumber(n.incident.phoneJid), url: incidentLink(baseUrl, n.incident) });
  if (message.kind === 'test') return { type: 'alert' as const, test: true, timestamp: now.toISOString() };
  if (message.kind === 'digest') return { type: 'alert' as const, digest: true, count: message.notices.length, incidents: message.notices.map(incident), url: `${baseUrl}/alerts`, timestamp: now.toISOString() };
  return { type: 'alert' as const, status: message.notice.phase, incident: incident(message.notice), timestamp: now.toISOString() };
}
