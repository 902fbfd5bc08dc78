'use client';

import { useEffect, useState } from 'react';
import { useUi } from './providers';

export const THEMES = ['system', 'light', 'dark'] as const;
type Theme = (typeof THEMES)[number];

/** Light, dark or the system's: kept per browser profile of the user (localStorage). */
export function ThemeSwitch() {
  const { t } = useUi();
  const [theme, setTheme] = useState<Theme>('system');
  useEffect(() => {
    const saved = localStorage.getItem('theme');
    if (saved === 'light' || saved === 'dark') setTheme(saved);
  }, []);
  const change = (value: Theme) => {
    setTheme(value);
    localStorage.setItem('theme', value);
    (window as unknown as { __applyTheme?: () => void }).__applyTheme?.();
  };
  return (
    <select aria-label={t('theme.label')} value={theme} onChange={(e) => change(e.target.value as Theme)} data-testid="theme-switch"
      className="min-h-7 rounded border border-gray-400 px-1 py-0.5 dark:border-gray-500 dark:bg-gray-950">
      {THEMES.map((th) => <option key={th} value={th}>{t(`theme.${th}`)}</option>)}
    </select>
  );
}
