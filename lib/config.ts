// The only reader of process.env. Validated once with zod; a bad value fails at start with a
// message that names the variable. Every variable here is documented in README.md and .env.example.
import { z } from 'zod';
import { TrustedProxies } from './http/client-address';
import { parseProxyUrl } from './sessions/proxy-url';
import { OutboundPolicy } from './http/outbound-guard';

const bool = z
  .enum(['true', 'false', '1', '0', 'yes', 'no'])
  .transform((v) => v === 'true' || v === '1' || v === 'yes');
const int = (min: number, max: number) => z.coerce.number().int().min(min).max(max);
/** Comma-separated IPs/CIDRs, valid when the class that will use them parses them (the check is the use). */
const addressList = (parse: (v: string) => unknown) =>
  z
    .string()
    .default('')
    .refine((v) => {
      try {
        parse(v);
        return true;
      } catch {
        return false;
      }
    }, 'must be a comma-separated list of IP addresses or CIDR ranges');

const schema = z.object({
  /** Node's own (set by next build and next start). */
  NODE_ENV: z.enum(['development', 'production', 'test']).default('development'),
  /** The console's HTTP port. */
  PORT: int(1, 65535).default(3000),
  /** file: → SQLite (the embedded default), postgresql:// → PostgreSQL (production, the fleet). */
  DATABASE_URL: z
    .string()
    .regex(/^(file:|postgres(ql)?:\/\/)/, 'must start with file: (SQLite) or postgresql:// (PostgreSQL)')
    .default('file:./data/console.db'),
  /** The URL admins open (default http://localhost:$PORT); the only origin allowed for cookie-authenticated changes. */
  NEXTAUTH_URL: z.url().optional(),
  /** Signs sign-in cookies; unset: a random one kept in data/nextauth-secret. */
  NEXTAUTH_SECRET: z.string().min(16, 'must be at least 16 characters').optional(),
  /** The first admin, created at start when there is no user (password generated and printed when unset). */
  ADMIN_EMAIL: z.email().default('admin@example.com'),
  ADMIN_PASSWORD: z.string().min(8, 'must be at least 8 characters').optional(),
  /** pino's level. */
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  /** json for log collectors; pretty for a person at a terminal (the demo's default) */
  LOG_FORMAT: z.enum(['json', 'pretty']).default('json'),
  /** Baileys' waWebSocketUrl: the real WhatsApp service by default, the simulator in the demo. */
  WA_WEBSOCKET_URL: z.string().regex(/^wss?:\/\//, 'must be a ws:// or wss:// URL').default('wss://web.whatsapp.com/ws/chat'),
  /** Control URL of the WhatsApp simulator; when set the UI shows the fault-injection panel. */
  /** The engine of a new phone: baileys-6 (Baileys 6.7.24, the seed's) or baileys-7 (7.0.0-rc14); docs/engines.md. */
  DEFAULT_ENGINE: z.enum(['baileys-6', 'baileys-7']).default('baileys-6'),
  /** The WhatsApp Web version every socket announces (a.b.c); unset: WA_VERSION_URL's, else each engine's bundled one. */
  WA_VERSION: z
    .string()
    .regex(/^\d+\.\d+\.\d+$/, 'must be three numbers like 2.3000.1043857760')
    .transform((v) => v.split('.').map(Number) as [number, number, number])
    .optional(),
  /**
   * Where the WhatsApp Web version is fetched from (a sw.js carrying `client_revision`, as
   * https://web.whatsapp.com/sw.js, what Baileys' fetchLatestWaWebVersion reads). Unset: nothing is
   * fetched (each engine's bundled version). WA_VERSION, when set, wins.
   */
  WA_VERSION_URL: z.url().optional(),
  /** How long a fetched version is used before it is fetched again (a 405 refetches at once). */
  WA_VERSION_TTL_MS: int(1000, 7 * 24 * 3600_000).default(6 * 3600_000),
  /** How long the fetch may take; beyond it the last known (or bundled) version is announced. */
  WA_VERSION_TIMEOUT_MS: int(100, 60_000).default(5000),
  /** The storm guard: Bad MAC / Bad Decrypt key repairs per sender per minute; failures beyond are counted, not repaired. */
  REPAIRS_PER_SENDER_PER_MINUTE: int(1, 1000).default(3),
  /** The simulator's control URL (demo mode): shows the fault panel. */
  SIMULATOR_URL: z.url().optional(),
  /** The simulator's port for npm run demo / npm run simulator. */
  SIM_PORT: int(1, 65535).default(3001),
  /** the demo simulator's linked devices, kept across restarts (default: beside the demo's database) */
  SIM_REGISTRY_FILE: z.string().min(1).optional(),
  /** Where the console-wide webhooks go (none when unset), and their signing secret. */
  ERROR_WEBHOOK_URL: z.url().optional(),
  ERROR_WEBHOOK_SECRET: z.string().min(1).optional(),
  /** Shortest gap between attempts of a failed webhook delivery; the gap grows to 1/20 of the time it has been failing (lib/webhooks/retry.ts). */
  WEBHOOK_RETRY_BASE_MS: int(10, 600_000).default(1000),
  /** Longest gap between attempts. */
  WEBHOOK_RETRY_MAX_MS: int(10, 24 * 3600_000).default(3600_000),
  /** How long a failed delivery keeps being retried (kept in the outbox across restarts): a day by default. */
  WEBHOOK_RETRY_FOR_MS: int(1000, 30 * 24 * 3600_000).default(24 * 3600_000),
  /** Attempts per delivery before it is marked failed (with the defaults, WEBHOOK_RETRY_FOR_MS ends the retries first). */
  WEBHOOK_MAX_ATTEMPTS: int(1, 100_000).default(1000),
  /** Also send session_error_warning with severity `warning` at the first counted failure. */
  WEBHOOK_EARLY_WARNING: bool.default(false),
  /** How often the health monitor checks every running session. */
  HEALTH_CHECK_INTERVAL_MS: int(1000, 24 * 3600_000).default(300_000),
  /** Liveness probe: each open phone gets a query WhatsApp must answer once per interval (spread evenly over it). */
  PROBE_INTERVAL_MS: int(50, 24 * 3600_000).default(60_000),
  /** How long one probe may wait for its answer before it counts as failed. */
  PROBE_TIMEOUT_MS: int(50, 600_000).default(10_000),
  /** Failed probes in a row that make a phone `unresponsive` (health critical). */
  PROBE_FAILURES: int(1, 100).default(3),
  /** Restart an unresponsive phone once per incident (false: only report it). */
  PROBE_RESTART: bool.default(true),
  /** Days of per-phone history (state intervals) kept; older intervals are deleted by the health check. */
  HISTORY_RETENTION_DAYS: int(1, 3650).default(90),
  /** Uptime objective in percent over 7 days: phones below it are flagged (table, summary, metric, alerts). */
  UPTIME_OBJECTIVE: z.coerce.number().min(0).max(100).default(99.5),
  /** Where alert e-mails go out: smtp://user:pass@host:587 (STARTTLS when offered) or smtps://host:465. No mail without it. */
  SMTP_URL: z
    .string()
    .regex(/^smtps?:\/\/[^/]+/, 'must be an smtp:// or smtps:// URL (smtp://user:password@host:587)')
    .optional(),
  /** Who gets every alert by e-mail (comma-separated); organizations can add their own recipients. */
  ALERT_EMAIL_TO: z
    .string()
    .default('')
    .transform((v, ctx) => {
      const list = v.split(/[,;\s]+/).map((s) => s.trim()).filter(Boolean);
      for (const a of list) {
        if (!z.email().safeParse(a).success) {
          ctx.addIssue({ code: 'custom', message: `not an e-mail address: ${a}` });
          return z.NEVER;
        }
      }
      return list;
    }),
  /** The From of alert e-mails. */
  ALERT_EMAIL_FROM: z.string().min(3).default('WhatsApp console <wa-console@localhost>'),
  /** A phone whose health stays critical this long opens an alert. */
  ALERT_CRITICAL_AFTER_MS: int(1000, 7 * 24 * 3600_000).default(600_000),
  /** More alerts than this going to the same recipients at once are sent as one digest. */
  ALERT_DIGEST_THRESHOLD: int(1, 100_000).default(5),
  /** Alerts go out once none came for this long (at most 3× this after the first), so a storm becomes one digest. */
  ALERT_BATCH_MS: int(10, 600_000).default(5_000),
  /** The seed's limits: this many Bad MAC (or Bad Decrypt) failures close the session. */
  MAX_BAD_MAC_ERRORS: int(1, 1000).default(3),
  MAX_BAD_DECRYPT_ERRORS: int(1, 1000).default(5),
  /** Reconnect backoff after a lost connection: exponential from BASE with jitter, capped at MAX, at most MAX_ATTEMPTS tries. */
  RECONNECT_BASE_MS: int(10, 600_000).default(1000),
  RECONNECT_MAX_MS: int(100, 3600_000).default(60_000),
  RECONNECT_MAX_ATTEMPTS: int(1, 1000).default(10),
  /** Baileys' keep-alive ping interval of every socket. */
  KEEPALIVE_INTERVAL_MS: int(1000, 600_000).default(30_000),
  /** Start the phones that were connected when the process stopped. */
  SESSIONS_AUTOSTART: bool.default(true),
  /** This console process's name in the fleet (random per start when unset). */
  NODE_ID: z.string().regex(/^[a-z0-9_]{1,40}$/, 'lower-case letters, digits and _ only').optional(),
  /** The most phones this node runs. */
  NODE_CAPACITY: int(1, 1_000_000).default(10_000),
  /** How long a node's lease lasts after each renewal (database clock). */
  LEASE_TTL_MS: int(1000, 600_000).default(10_000),
  /** How often a node renews its lease and claims phones without a live owner. */
  LEASE_RENEW_MS: int(100, 60_000).default(2_000),
  /** A node that could not renew stops acting as owner this long before its lease could expire. */
  FENCE_MARGIN_MS: int(100, 60_000).default(3_000),
  /** Staggered start (boot, failover): phones connecting at once, and new starts per second. */
  START_CONCURRENCY: int(1, 10_000).default(16),
  START_RATE_PER_SEC: int(1, 10_000).default(50),
  /**
   * PostgreSQL: how often a node looks for nodes whose database session ended before their lease
   * (a crash: their phones are claimed at once), and checks its own liveness lock's connection.
   */
  NODE_DEATH_CHECK_MS: int(50, 60_000).default(500),
  /** PostgreSQL: the longest any statement of this process waits for a row lock (lock_timeout of its sessions). */
  DB_LOCK_TIMEOUT_MS: int(100, 600_000).default(5_000),
  /**
   * PostgreSQL: a session of this process idle inside a transaction longer than this is ended by
   * the server, with its locks (a process stopped mid-write). Unset: half of LEASE_TTL_MS.
   */
  DB_IDLE_IN_TRANSACTION_MS: int(100, 3600_000).optional(),
  /** PostgreSQL: TCP keep-alive of this process's database connections (first probe after this idle time). */
  DB_TCP_KEEPALIVE_MS: int(1000, 3600_000).default(10_000),
  /** How long a command sent to the node that owns a phone may take. */
  FLEET_COMMAND_TIMEOUT_MS: int(500, 120_000).default(20_000),
  /**
   * The key every node of a fleet shares: every bus message is encrypted and authenticated with
   * it. Required for a fleet of several nodes on PostgreSQL (a node without it runs only alone).
   */
  FLEET_BUS_KEY: z.string().min(32, 'must be at least 32 characters (e.g. openssl rand -base64 32)').optional(),
  /** The key used before the current one, still accepted while a rotation rolls out. */
  FLEET_BUS_KEY_PREVIOUS: z.string().min(32, 'must be at least 32 characters').optional(),
  /** How old (or, for clocks that differ, how far ahead) a bus message may be; older ones are refused. */
  FLEET_BUS_WINDOW_MS: int(1000, 600_000).default(30_000),
  /** Messages (docs/messages.md): the least time between two sends of one phone, and of one phone to one recipient. */
  MESSAGE_PHONE_INTERVAL_MS: int(0, 3600_000).default(250),
  MESSAGE_RECIPIENT_INTERVAL_MS: int(0, 3600_000).default(1000),
  /** A message still queued this long (milliseconds) after it was accepted fails with `expired`. */
  MESSAGE_QUEUE_TTL: int(1000, 30 * 24 * 3600_000).default(24 * 3600_000),
  /** How long WhatsApp's server ack may take, from the stanza's write, before a message is sent again (under its id). */
  MESSAGE_ACK_TIMEOUT_MS: int(100, 600_000).default(20_000),
  /** Sends of one message (the first and the resends after ack timeouts) before it fails with `timeout`. */
  MESSAGE_MAX_ATTEMPTS: int(1, 100).default(5),
  /** Largest media a message may carry, in bytes (decoded); the request body is also bounded by API_BODY_LIMIT. */
  MESSAGE_MEDIA_MAX_BYTES: int(1, 100 * 1024 * 1024).default(16 * 1024 * 1024),
  /** Bodies, captions and media references of messages older than this are deleted (ids, statuses and times stay). */
  MESSAGE_RETENTION_DAYS: int(1, 36500).default(30),
  /** Failed sign-ins of one email within LOGIN_WINDOW_MS before it is throttled (429 with Retry-After). */
  LOGIN_MAX_FAILURES: int(1, 1000).default(5),
  LOGIN_WINDOW_MS: int(1000, 24 * 3600_000).default(15 * 60_000),
  /** Sign-in attempts per client address (any email) within LOGIN_WINDOW_MS; a success clears it. */
  LOGIN_ADDRESS_MAX_FAILURES: int(1, 100_000).default(20),
  /** Password checks (bcrypt) run at once, on worker threads; more wait in a queue. */
  PASSWORD_CHECK_CONCURRENCY: int(1, 64).default(1),
  /** Sign-ins waiting for a password check; beyond it a sign-in is answered 503 at once. */
  PASSWORD_CHECK_QUEUE: int(0, 10_000).default(32),
  /** Invalid bearer tokens per client address within TOKEN_FAILURE_WINDOW_MS before every token check from it is refused (429). */
  TOKEN_MAX_FAILURES: int(1, 1_000_000).default(30),
  TOKEN_FAILURE_WINDOW_MS: int(1000, 24 * 3600_000).default(60_000),
  /**
   * A valid API token's check is reused for this long (per process, keyed by the token's SHA-256),
   * so most requests do not read the token row. Revoking a token answers only after this long, when
   * no process can still hold its check (docs/security.md). 0: every request reads the row.
   */
  TOKEN_CACHE_TTL_MS: int(0, 60_000).default(2000),
  /** Answer GET /api/bench-baseline with a constant (the API bench's floor, bench/api.ts); off: the same 404 as any unknown path. */
  BENCH_BASELINE_ROUTE: bool.default(false),
  /**
   * Creation quotas per API token or signed-in user, counted fleet-wide in the database
   * (lib/quotas): phones added per minute, organizations created per hour (0: no limit). Past
   * them POST /api/sessions answers 429 with Retry-After.
   */
  CREATE_PHONES_PER_MINUTE: int(0, 1_000_000).default(60),
  CREATE_ORGANIZATIONS_PER_HOUR: int(0, 1_000_000).default(100),
  /** Interval of the SSE heartbeat comment on /api/sessions/stream. */
  SSE_HEARTBEAT_MS: int(100, 600_000).default(15_000),
  /** Recent engine events kept for clients that reconnect with Last-Event-ID (older gaps get `reset`). */
  SSE_BUFFER_SIZE: int(1, 1_000_000).default(1000),
  /** Proxies handed out to new phones added without one (comma-separated URLs), least used first. */
  PROXY_POOL: z
    .string()
    .transform((v, ctx) => {
      const urls: string[] = [];
      for (const item of v.split(',').map((s) => s.trim()).filter(Boolean)) {
        try {
          urls.push(parseProxyUrl(item).url);
        } catch (err) {
          ctx.addIssue({ code: 'custom', message: `${(err as Error).message} (entry ${urls.length + 1})` });
          return z.NEVER;
        }
      }
      return [...new Set(urls)];
    })
    .default([]),
  /** How long a proxy may take to open a phone's tunnel before the attempt fails as a timeout. */
  PROXY_CONNECT_TIMEOUT_MS: int(100, 120_000).default(10_000),
  /** How often an open SSE stream re-checks its credential; it ends once that is revoked. */
  SSE_AUTH_RECHECK_MS: int(100, 60_000).default(2000),
  /** Largest accepted request body, in bytes, on every route (NextAuth's included). */
  API_BODY_LIMIT: int(1024, 10 * 1024 * 1024).default(64 * 1024),
  /** A request body must arrive completely within this time (408 otherwise). */
  BODY_TIMEOUT_MS: int(100, 600_000).default(30_000),
  /**
   * Internal addresses (comma-separated IPs/CIDRs) that phones' proxies and webhook receivers may
   * use anyway: loopback, private, link-local and metadata addresses are refused otherwise.
   */
  OUTBOUND_ALLOW_INTERNAL: addressList((v) => new OutboundPolicy(v)),
  /** Interface the console listens on; 127.0.0.1 unless opened up (e.g. 0.0.0.0). */
  HOST: z.string().min(1).default('127.0.0.1'),
  /** Comma-separated IPs/CIDRs of reverse proxies whose X-Forwarded-For is believed. */
  TRUSTED_PROXIES: addressList((v) => new TrustedProxies(v)),
});

export type Config = z.infer<typeof schema>;
/** Every variable the console reads, by name (README's configuration table and .env.example list each). */
export const CONFIG_VARIABLES = Object.keys(schema.shape) as (keyof Config)[];

export class ConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ConfigError';
  }
}

/** Parses an environment (process.env by default); throws ConfigError naming each bad variable. */
export function parseConfig(env: Record<string, string | undefined> = process.env): Config {
  // Empty strings mean "unset", as in most .env files.
  const cleaned = Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined && v !== ''));
  const result = schema.safeParse(cleaned);
  if (!result.success) {
    const lines = result.error.issues.map((i) => `  ${i.path.join('.')}: ${i.message}`);
    throw new ConfigError(`Invalid configuration:\n${lines.join('\n')}`);
  }
  return result.data;
}

const cache = globalThis as unknown as { __consoleConfig?: Config };

/** The process configuration, validated on first use. */
export function getConfig(): Config {
  cache.__consoleConfig ??= parseConfig();
  return cache.__consoleConfig;
}

/** Tests change process.env and call this to re-read it. */
export function resetConfig(): void {
  cache.__consoleConfig = undefined;
}
