import { describe, expect, it } from 'vitest';
import { composeLevel, LEVELS, levelPolicy, parseLevel, versionsToCheck } from '../../src/compat/levels.js';
import type { PairCheck } from '../../src/compat/levels.js';
import type { CheckDirection, CompatMessage } from '../../src/compat/types.js';
import { SchemactlError } from '../../src/errors.js';

describe('parseLevel', () => {
  it('accepts the seven levels in any case', () => {
    for (const level of LEVELS) {
      expect(parseLevel(level)).toBe(level);
      expect(parseLevel(level.toLowerCase())).toBe(level);
    }
    expect(parseLevel(' Full_Transitive ')).toBe('FULL_TRANSITIVE');
  });

  it('rejects anything else with a message naming the valid levels', () => {
    expect(() => parseLevel('BACKWARDS')).toThrow(SchemactlError);
    expect(() => parseLevel('')).toThrow(/Invalid compatibility level "".*NONE, BACKWARD, BACKWARD_TRANSITIVE/);
  });
});

describe('levelPolicy', () => {
  it('is direction × scope', () => {
    expect(levelPolicy('backward')).toMatchObject({ directions: ['backward'], transitive: false });
    expect(levelPolicy('FORWARD_TRANSITIVE')).toMatchObject({ directions: ['forward'], transitive: true });
    // FULL reports the forward direction first, as the registry does.
    expect(levelPolicy('FULL')).toMatchObject({ directions: ['forward', 'backward'], transitive: false });
    expect(levelPolicy('NONE')).toMatchObject({ directions: [], transitive: false });
  });
});

describe('versionsToCheck', () => {
  it('non-transitive levels look at the newest only', () => {
    expect(versionsToCheck(levelPolicy('BACKWARD'), 3)).toEqual([2]);
    expect(versionsToCheck(levelPolicy('FULL'), 0)).toEqual([]);
  });
  it('transitive levels look at all, newest first', () => {
    expect(versionsToCheck(levelPolicy('FULL_TRANSITIVE'), 3)).toEqual([2, 1, 0]);
  });
  it('NONE looks at nothing', () => {
    expect(versionsToCheck(levelPolicy('NONE'), 3)).toEqual([]);
  });
});

/** A pair check over a table: failing (reader, writer) pairs produce one message named after them. */
function table(failing: Array<[number, number]>): { check: PairCheck; calls: string[] } {
  const calls: string[] = [];
  const check: PairCheck = (reader: number, writer: number, direction: CheckDirection): CompatMessage[] => {
    calls.push(`${reader}<-${writer}:${direction}`);
    return failing.some(([r, w]) => r === reader && w === writer)
      ? [{ type: 'X', path: '/', message: `${reader} cannot read ${writer}` }]
      : [];
  };
  return { check, calls };
}

describe('composeLevel', () => {
  it('BACKWARD: the candidate (-1) reads the newest previous only', () => {
    const { check, calls } = table([[-1, 0]]);
    expect(composeLevel(levelPolicy('BACKWARD'), 2, check)).toEqual({ compatible: true, messages: [] });
    expect(calls).toEqual(['-1<-1:backward']);
  });

  it('FORWARD swaps reader and writer', () => {
    const { check, calls } = table([[1, -1]]);
    const result = composeLevel(levelPolicy('FORWARD'), 2, check);
    expect(calls).toEqual(['1<--1:forward']);
    expect(result).toEqual({
      compatible: false,
      messages: [{ type: 'X', path: '/', message: '1 cannot read -1', version: 2, direction: 'forward' }],
    });
  });

  it('transitive: newest first, stops at the first failing version and reports only its messages', () => {
    const { check, calls } = table([[-1, 1], [-1, 0]]);
    const result = composeLevel(levelPolicy('BACKWARD_TRANSITIVE'), 3, check);
    expect(calls).toEqual(['-1<-2:backward', '-1<-1:backward']);
    expect(result.messages.map((m) => m.version)).toEqual([2]);
  });

  it('FULL: forward-direction messages first, then backward, for the one version compared', () => {
    const { check } = table([[-1, 0], [0, -1]]);
    const result = composeLevel(levelPolicy('FULL'), 1, check);
    expect(result.messages.map((m) => m.direction)).toEqual(['forward', 'backward']);
  });

  it('NONE and an empty history are always compatible without checking', () => {
    const { check, calls } = table([[-1, 0], [0, -1]]);
    expect(composeLevel(levelPolicy('NONE'), 1, check).compatible).toBe(true);
    expect(composeLevel(levelPolicy('FULL_TRANSITIVE'), 0, check).compatible).toBe(true);
    expect(calls).toEqual([]);
  });
});

describe('checkCompatibility dispatch', () => {
  const v1 = 'syntax = "proto3";\npackage shop;\nmessage Order {\n  string id = 1;\n}\n';
  const v2 = 'syntax = "proto3";\npackage shop;\nmessage Order {\n  string id = 1;\n}\nmessage Refund {\n  string id = 1;\n}\n';

  it('runs the Protobuf checker with the level composition (adding a message is backward-only)', async () => {
    const { checkCompatibility } = await import('../../src/compat/index.js');
    const req = { format: 'PROTOBUF' as const, previous: [v1], candidate: v2 };
    expect(await checkCompatibility({ ...req, level: 'BACKWARD' })).toEqual({ compatible: true, messages: [] });
    const full = await checkCompatibility({ ...req, level: 'FULL' });
    expect(full.compatible).toBe(false);
    expect(full.messages.map((m) => [m.type, m.direction, m.version])).toEqual([['MESSAGE_REMOVED', 'forward', 1]]);
    expect(await checkCompatibility({ ...req, level: 'NONE' })).toEqual({ compatible: true, messages: [] });
  });
});
