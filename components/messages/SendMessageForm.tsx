'use client';

import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import { fetchJson } from '@/lib/ui/fetch-json';
import { queryKeys } from '@/lib/ui/query-keys';
import { mediaKindOf } from '@/lib/ui/messages';
import { errorMessage, fieldErrors } from '@/lib/ui/session-text';
import { useUi } from '../providers';
import { useToast } from '../ui/Toast';
import { SubmitButton } from '../ui/SubmitButton';
import { useFieldErrors } from '../ui/FormField';

type Body = { to: string; text: string } | { to: string; media: { kind: string; mimetype: string; data: string; caption?: string; fileName?: string } };

/** The file's bytes as base64 (the API's media.data). */
function base64Of(file: File): Promise<string> {
  return new Promise((resolve, reject) => {
    const reader = new FileReader();
    reader.onload = () => resolve(String(reader.result).replace(/^data:[^,]*,/, ''));
    reader.onerror = () => reject(reader.error ?? new Error('The file could not be read'));
    reader.readAsDataURL(file);
  });
}

/** Admins send a text or a file from the phone page (POST /api/sessions/:id/messages). */
export function SendMessageForm({ phoneId }: { phoneId: number }) {
  const { t } = useUi();
  const toast = useToast();
  const client = useQueryClient();
  const [mode, setMode] = useState<'text' | 'file'>('text');
  const [text, setText] = useState('');
  const { setErrors, field } = useFieldErrors('message');
  const send = useMutation({
    mutationFn: (body: Body) => fetchJson<{ id: string }>(`/api/sessions/${phoneId}/messages`, { method: 'POST', body }),
    onMutate: () => setErrors({}),
    onSuccess: () => {
      setText('');
      toast('success', t('messages.send.queued'));
      void client.invalidateQueries({ queryKey: queryKeys.sessionMessages(phoneId), exact: true });
    },
    onError: (err: Error) => {
      setErrors(fieldErrors(t, err));
      toast('error', t('toast.failed', { error: errorMessage(t, err) }));
    },
  });
  const onSubmit = async (e: FormEvent<HTMLFormElement>) => {
    e.preventDefault();
    const form = new FormData(e.currentTarget);
    const to = String(form.get('to') ?? '').trim();
    if (mode === 'text') return send.mutate({ to, text });
    const file = form.get('file');
    if (!(file instanceof File) || !file.size) return;
    const caption = String(form.get('caption') ?? '').trim();
    const mimetype = file.type || 'application/octet-stream';
    try {
      const data = await base64Of(file);
      send.mutate({ to, media: { kind: mediaKindOf(mimetype), mimetype, data, fileName: file.name, ...(caption ? { caption } : {}) } });
    } catch (err) {
      toast('error', t('toast.failed', { error: errorMessage(t, err) }));
    }
  };
  const input = 'mt-1 block rounded border border-gray-300 px-2 py-1 dark:border-gray-700 dark:bg-gray-950';
  return (
    <form onSubmit={onSubmit} className="flex flex-wrap items-end gap-3 rounded-lg border border-gray-200 p-3 dark:border-gray-800" data-testid="message-form">
      <h2 className="w-full text-sm font-semibold">{t('messages.send.title')}</h2>
      {field('to', t('messages.send.to'), (aria) => <input name="to" required inputMode="tel" placeholder="77051234567" data-testid="message-to" {...aria} className={input} />)}
      <fieldset className="flex items-center gap-3 text-sm">
        <legend className="sr-only">{t('messages.send.title')}</legend>
        {(['text', 'file'] as const).map((m) => (
          <label key={m} className="flex items-center gap-1">
            <input type="radio" name="mode" value={m} checked={mode === m} onChange={() => setMode(m)} data-testid={`message-mode-${m}`} className="h-5 w-5" />
            {t(m === 'text' ? 'messages.send.modeText' : 'messages.send.modeFile')}
          </label>
        ))}
      </fieldset>
      {mode === 'text' ? (
        <label className="w-full text-sm">
          {t('messages.send.text')}
          <textarea name="text" required rows={2} maxLength={65536} value={text} onChange={(e) => setText(e.target.value)} data-testid="message-text" className={`${input} w-full`} />
        </label>
      ) : (
        <>
          <label className="text-sm">
            {t('messages.send.file')}
            <input type="file" name="file" required data-testid="message-file" className="mt-1 block text-sm" />
          </label>
          <label className="text-sm">
            {t('messages.send.caption')}
            <input name="caption" maxLength={1024} data-testid="message-caption" className={input} />
          </label>
        </>
      )}
      <SubmitButton pending={send.isPending} testId="message-send">{t('messages.send.submit')}</SubmitButton>
    </form>
  );
}
