// Security headers on every answer (keep equal to FIXED_SECURITY_HEADERS in
// lib/http/security-headers.ts). Pages get their nonce-based CSP from proxy.ts; the JSON API a
// policy that loads nothing. HSTS is added at run time by the HTTP edge (lib/http/edge.ts) over https.
const fixed = [
  { key: 'X-Frame-Options', value: 'DENY' },
  { key: 'X-Content-Type-Options', value: 'nosniff' },
  { key: 'Referrer-Policy', value: 'strict-origin-when-cross-origin' },
  { key: 'Permissions-Policy', value: 'camera=(), microphone=(), geolocation=(), payment=(), usb=(), interest-cohort=()' },
  { key: 'Cross-Origin-Opener-Policy', value: 'same-origin' },
];

/** @type {import('next').NextConfig} */
const nextConfig = {
  // Baileys loads optional media libraries dynamically; the bundler must leave it to Node.
  serverExternalPackages: ['@whiskeysockets/baileys', 'baileys7', 'whatsapp-rust-bridge', 'libsignal', 'pino', 'prom-client'],
  poweredByHeader: false,
  reactStrictMode: true,
  async headers() {
    return [
      { source: '/:path*', headers: fixed },
      { source: '/api/:path*', headers: [{ key: 'Content-Security-Policy', value: "default-src 'none'; frame-ancestors 'none'" }] },
    ];
  },
};

export default nextConfig;
