/** The unawaited-rejection kinds known from Baileys (6.7.24 and 7.0.0-rc14) and libsignal 6 that the process guard contains. */
export const CONTAINED_KINDS = ['connection-closed', 'socket-ended', 'timed-out', 'ws-close-code', 'noise-decrypt', 'no-sessions', 'socket-write'] as const;
export type ContainedKind = (typeof CONTAINED_KINDS)[number];
