// The engines by name. A phone's `engine` column picks one; DEFAULT_ENGINE is the default.
import { baileys6 } from './baileys6';
import { baileys7 } from './baileys7';
import { FALLBACK_ENGINE, isEngineName, type Engine, type EngineName } from './types';

export const ENGINES: Record<EngineName, Engine> = { 'baileys-6': baileys6, 'baileys-7': baileys7 };

/** The engine a phone runs: its own setting when valid, else the default. */
export const engineFor = (name: string | null | undefined, fallback: EngineName = FALLBACK_ENGINE): Engine => ENGINES[isEngineName(name) ? name : fallback];

export * from './types';
