// Tailwind 4 reads its configuration from CSS (app/globals.css, `@config` points here).
// This file holds the few theme choices we keep in TypeScript.
import type { Config } from 'tailwindcss';

const config: Config = {
  content: ['./app/**/*.{ts,tsx}', './components/**/*.{ts,tsx}'],
  // The .dark class on <html> (set from the theme switch: light, dark, or the system's choice).
  darkMode: 'class',
  theme: {
    extend: {
      colors: {
        health: {
          healthy: '#16a34a',
          degraded: '#d97706',
          critical: '#dc2626',
          closed: '#6b7280',
        },
      },
    },
  },
};

export default config;
