// Compatibility levels as the registry builds them (Confluent's CompatibilityChecker): a direction per
// pair × a scope over the previous versions. Format-neutral: the pair check is passed in.
import { SchemactlError } from '../errors.js';
import type { CheckDirection, CompatMessage } from './types.js';

export const LEVELS = [
  'NONE',
  'BACKWARD',
  'BACKWARD_TRANSITIVE',
  'FORWARD',
  'FORWARD_TRANSITIVE',
  'FULL',
  'FULL_TRANSITIVE',
] as const;
export type CompatibilityLevel = (typeof LEVELS)[number];

export interface LevelPolicy {
  level: CompatibilityLevel;
  /**
   * Directions checked for each previous version, in the order their messages are reported: under FULL
   * the registry puts the forward-direction messages first.
   */
  directions: readonly CheckDirection[];
  /** true: every previous version, newest first; false: the newest only */
  transitive: boolean;
}

const POLICIES: Record<CompatibilityLevel, LevelPolicy> = {
  NONE: { level: 'NONE', directions: [], transitive: false },
  BACKWARD: { level: 'BACKWARD', directions: ['backward'], transitive: false },
  BACKWARD_TRANSITIVE: { level: 'BACKWARD_TRANSITIVE', directions: ['backward'], transitive: true },
  FORWARD: { level: 'FORWARD', directions: ['forward'], transitive: false },
  FORWARD_TRANSITIVE: { level: 'FORWARD_TRANSITIVE', directions: ['forward'], transitive: true },
  FULL: { level: 'FULL', directions: ['forward', 'backward'], transitive: false },
  FULL_TRANSITIVE: { level: 'FULL_TRANSITIVE', directions: ['forward', 'backward'], transitive: true },
};

export function isCompatibilityLevel(value: string): value is CompatibilityLevel {
  return (LEVELS as readonly string[]).includes(value);
}

/** Case-insensitive; surrounding blanks are ignored. Throws a SchemactlError naming the valid values. */
export function parseLevel(value: string): CompatibilityLevel {
  const upper = value.trim().toUpperCase();
  if (isCompatibilityLevel(upper)) return upper;
  throw new SchemactlError(
    'invalid-compatibility-level',
    `Invalid compatibility level ${JSON.stringify(value)}. Use one of ${LEVELS.join(', ')} (case does not matter).`,
  );
}

export function levelPolicy(level: string | CompatibilityLevel): LevelPolicy {
  return POLICIES[parseLevel(level)];
}

/**
 * The pair check every level is made of: can `reader` read data written with `writer`? Indexes are
 * -1 for the candidate and 0-based positions in `previous` otherwise; messages carry no version yet.
 */
export type PairCheck = (reader: number, writer: number, direction: CheckDirection) => CompatMessage[];

/**
 * Which previous versions a level looks at, as 0-based indexes into the oldest-first list, newest
 * first. A non-transitive level looks at the newest only, however many are supplied.
 */
export function versionsToCheck(policy: LevelPolicy, previousCount: number): number[] {
  if (policy.directions.length === 0 || previousCount === 0) return [];
  if (!policy.transitive) return [previousCount - 1];
  const order: number[] = [];
  for (let i = previousCount - 1; i >= 0; i--) order.push(i);
  return order;
}

/**
 * Applies a level: newest first, stop at the first version that yields messages and report only that
 * version's messages (the registry's behaviour, SEMANTICS §1.2). BACKWARD reads old with new (reader =
 * candidate), FORWARD swaps the arguments, FULL concatenates forward then backward.
 */
export function composeLevel(
  policy: LevelPolicy,
  previousCount: number,
  check: PairCheck,
): { compatible: boolean; messages: CompatMessage[] } {
  for (const index of versionsToCheck(policy, previousCount)) {
    const messages: CompatMessage[] = [];
    for (const direction of policy.directions) {
      const found = direction === 'backward' ? check(-1, index, direction) : check(index, -1, direction);
      for (const m of found) messages.push({ ...m, version: index + 1, direction });
    }
    if (messages.length > 0) return { compatible: false, messages };
  }
  return { compatible: true, messages: [] };
}
