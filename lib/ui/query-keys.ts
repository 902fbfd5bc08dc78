// The one TanStack Query key factory of the console.
export const queryKeys = {
  sessions: () => ['sessions'] as const,
  session: (id: number) => ['sessions', id] as const,
  qr: (id: number) => ['sessions', id, 'qr'] as const,
  tokens: () => ['tokens'] as const,
};
