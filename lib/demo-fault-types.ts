// The faults a demo operator may send to a simulated phone (POST /api/demo/faults, the phone
// page's fault panel): a subset of the simulator's (simulator/types.ts), those that need no
// parameters beyond a count. Kept apart from lib/demo-faults.ts so the page can import it.
export const DEMO_FAULT_TYPES = [
  'message', 'bad-mac', 'bad-decrypt', 'no-session', 'invalid-prekey', 'duplicate', 'pn-lid-mismatch',
  'drop', 'restart-required', 'conflict', 'logged-out', 'silence', 'freeze',
] as const;
export type DemoFaultType = (typeof DEMO_FAULT_TYPES)[number];
