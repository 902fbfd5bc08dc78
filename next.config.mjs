/** @type {import('next').NextConfig} */
const nextConfig = {
  // Baileys loads optional media libraries dynamically; the bundler must leave it to Node.
  serverExternalPackages: ['@whiskeysockets/baileys', 'libsignal', 'pino', 'prom-client'],
  poweredByHeader: false,
  reactStrictMode: true,
};

export default nextConfig;
