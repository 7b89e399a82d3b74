// A removed Protobuf field: the advisory says exactly which of its number and name are reserved and
// which are missing, and its help adds only the missing reservation.
import { describe, expect, it } from 'vitest';
import { cli, scratchDir, write } from './helpers.js';

const V1 = `syntax = "proto3";
package acme.payments.v1;

message PaymentCaptured {
  string payment_id = 1;
  string legacy_id = 4;
}
`;

const without = (reserved: string): string => V1.replace('  string legacy_id = 4;\n', reserved);

describe('field-removed-without-reserve names what is missing', () => {
  it.each([
    ['neither reserved', '', 'without reserving its number or its name, so a later change can reuse them', 'add reserved 4; reserved "legacy_id";'],
    ['number reserved, name not', '  reserved 4;\n', 'with its number 4 reserved but not its name `legacy_id`, so a later change can reuse it', 'add reserved "legacy_id";'],
    ['name reserved, number not', '  reserved "legacy_id";\n', 'with its name `legacy_id` reserved but not its number 4, so a later change can reuse it', 'add reserved 4;'],
    ['both reserved', '  reserved 4;\n  reserved "legacy_id";\n', undefined, undefined],
  ])('%s', async (_label, reserved, message, help) => {
    const dir = scratchDir('reserve-message');
    write(dir, { 'old.proto': V1, 'new.proto': without(reserved) });
    const r = await cli(['check', '--old', 'old.proto', '--new', 'new.proto', '--format', 'json'], dir);
    const messages = (JSON.parse(r.stdout || '[]') as Array<{ messages: Array<{ ruleId: string; message: string }> }>).flatMap((f) => f.messages)
      .filter((m) => m.ruleId === 'field-removed-without-reserve');
    if (message === undefined) {
      expect(messages).toEqual([]);
      return;
    }
    expect(messages).toHaveLength(1);
    expect(messages[0]!.message).toContain(`Field \`legacy_id\` (number 4) was removed from \`acme.payments.v1.PaymentCaptured\` ${message}`);
    expect(messages[0]!.message).toContain(help);
  });
});
