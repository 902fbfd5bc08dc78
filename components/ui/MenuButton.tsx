'use client';

import { useEffect, useLayoutEffect, useRef, useState, type KeyboardEvent, type ReactNode } from 'react';
import { createPortal } from 'react-dom';

export interface MenuItem {
  key: string;
  label: string;
  testId: string;
  disabled?: boolean;
  danger?: boolean;
  onSelect: () => void;
}

const ITEM = 'block w-full whitespace-nowrap px-3 py-1.5 text-left text-sm focus:outline-none aria-disabled:cursor-not-allowed aria-disabled:opacity-50';
const MENU_WIDTH = 176; // px: the w-44 below

/**
 * A button that opens a menu of actions (the WAI-ARIA menu button pattern): arrow keys, Home and
 * End move between items, Escape or Tab closes it and the focus returns to the button. The menu is
 * fixed to the viewport and rendered in the body, so neither a table's overflow box (the sessions
 * table scrolls sideways) clips it nor a later row's sticky cell (its own stacking context) covers it.
 */
/** `children` is the button's visible text; `label` names the menu and follows that text for screen readers (its accessible name starts with what is seen). */
export function MenuButton({ label, children, items, className, testId }: { label: string; children: ReactNode; items: MenuItem[]; className: string; testId: string }) {
  const [open, setOpen] = useState(false);
  const [place, setPlace] = useState<{ top?: number; bottom?: number; left: number } | null>(null);
  const button = useRef<HTMLButtonElement>(null);
  const menu = useRef<HTMLDivElement>(null);
  const refs = useRef<(HTMLButtonElement | null)[]>([]);
  // Where the button was when the menu was placed: a scroll that did not move it leaves the menu be.
  const anchor = useRef<{ top: number; left: number } | null>(null);

  const close = (focusButton: boolean) => {
    setOpen(false);
    setPlace(null);
    if (focusButton) button.current?.focus();
  };
  // Below the button, or above it when the viewport has no room below (the last rows).
  useLayoutEffect(() => {
    if (!open || !button.current) return;
    const r = button.current.getBoundingClientRect();
    const height = menu.current?.offsetHeight ?? 0;
    const left = Math.max(4, Math.min(r.right - MENU_WIDTH, window.innerWidth - MENU_WIDTH - 4));
    anchor.current = { top: r.top, left: r.left };
    setPlace(r.bottom + height + 4 > window.innerHeight && r.top > height ? { bottom: window.innerHeight - r.top + 4, left } : { top: r.bottom + 4, left });
  }, [open]);
  // The first item takes the focus once the menu is placed (a hidden element cannot take it).
  useEffect(() => {
    if (open && place) refs.current[0]?.focus();
  }, [open, place]);
  useEffect(() => {
    if (!open) return;
    const outside = (e: Event) => {
      const target = e.target as Node;
      if (!menu.current?.contains(target) && !button.current?.contains(target)) close(false);
    };
    // A fixed menu would drift from its button when the page scrolls: it closes instead. Only when
    // the button really moved: the scroll event of a scroll made just before the click (scrolling
    // the row into view, then clicking at once) arrives after the menu opened and closed it.
    const drift = (e: Event) => {
      if (menu.current?.contains(e.target as Node)) return;
      const r = button.current?.getBoundingClientRect();
      const at = anchor.current;
      if (!r || !at || Math.abs(r.top - at.top) > 1 || Math.abs(r.left - at.left) > 1) close(false);
    };
    document.addEventListener('pointerdown', outside);
    window.addEventListener('scroll', drift, true);
    window.addEventListener('resize', drift);
    return () => {
      document.removeEventListener('pointerdown', outside);
      window.removeEventListener('scroll', drift, true);
      window.removeEventListener('resize', drift);
    };
  }, [open]);

  const onMenuKey = (e: KeyboardEvent) => {
    const list = refs.current.filter((el): el is HTMLButtonElement => !!el);
    const at = list.indexOf(document.activeElement as HTMLButtonElement);
    const move = (i: number) => {
      e.preventDefault();
      list[(i + list.length) % list.length]?.focus();
    };
    if (e.key === 'ArrowDown') move(at + 1);
    else if (e.key === 'ArrowUp') move(at - 1);
    else if (e.key === 'Home') move(0);
    else if (e.key === 'End') move(list.length - 1);
    else if (e.key === 'Escape') {
      e.preventDefault();
      e.stopPropagation();
      close(true);
    } else if (e.key === 'Tab') close(false);
  };
  const onButtonKey = (e: KeyboardEvent) => {
    if (e.key === 'ArrowDown' || e.key === 'ArrowUp') {
      e.preventDefault();
      setOpen(true);
    }
  };

  refs.current.length = items.length;
  return (
    <>
      <button ref={button} type="button" aria-haspopup="menu" aria-expanded={open} data-testid={testId} className={className}
        onClick={() => (open ? close(false) : setOpen(true))} onKeyDown={onButtonKey}>
        {children}
        <span className="sr-only"> ({label})</span>
      </button>
      {open && createPortal(
        <div ref={menu} role="menu" aria-label={label} onKeyDown={onMenuKey} data-testid={`${testId}-menu`}
          style={place ? { top: place.top, bottom: place.bottom, left: place.left } : { visibility: 'hidden', top: 0, left: 0 }}
          className="fixed z-30 w-44 rounded border border-gray-300 bg-white py-1 shadow-lg dark:border-gray-600 dark:bg-gray-900">
          {items.map((item, i) => (
            <button key={item.key} ref={(el) => { refs.current[i] = el; }} type="button" role="menuitem" tabIndex={-1} aria-disabled={item.disabled || undefined} data-testid={item.testId}
              className={`${ITEM} ${item.danger ? 'text-red-800 hover:bg-red-50 focus:bg-red-50 dark:text-red-200 dark:hover:bg-red-950 dark:focus:bg-red-950' : 'text-gray-900 hover:bg-gray-100 focus:bg-gray-100 dark:text-gray-100 dark:hover:bg-gray-800 dark:focus:bg-gray-800'}`}
              onClick={() => {
                if (item.disabled) return;
                // The focus goes back to the button first, so a dialog the item opens returns it there.
                close(true);
                item.onSelect();
              }}>
              {item.label}
            </button>
          ))}
        </div>,
        document.body,
      )}
    </>
  );
}
