import { describe, expect, it } from 'vitest';
import { redact } from '../../src/errors.js';

describe('redact', () => {
  it.each([
    ['postgres://app:Sup3rSecret@db:5432/shop', 'postgres://***@db:5432/shop'],
    ['postgres://:Sup3rSecret@db/shop', 'postgres://***@db/shop'],
    ['http://:Sup3rSecret@registry:8081', 'http://***@registry:8081'],
    ['postgres://app:Sup3r@Secret@db:5432/shop', 'postgres://***@db:5432/shop'],
    ['mysql://root:p a@ss@127.0.0.1/test is down', 'mysql://***@127.0.0.1/test is down'],
    ['cannot connect to mysql://u:pw@h:3306/db: refused', 'cannot connect to mysql://***@h:3306/db: refused'],
    ['host=db user=app password=Sup3rSecret dbname=shop', 'host=db user=app password=*** dbname=shop'],
    ["host=db password='a b c' dbname=shop", 'host=db password=*** dbname=shop'],
    ['postgres://db/shop?sslmode=require&sslpassword=Sup3rSecret', 'postgres://db/shop?sslmode=require&sslpassword=***'],
    ['https://reg/x?token=abc&access_token=def', 'https://reg/x?token=***&access_token=***'],
  ])('%s', (input, expected) => {
    expect(redact(input)).toBe(expected);
    expect(redact(input)).not.toMatch(/Sup3r|Secret|p a|abc|def|a b c/);
  });

  it('leaves text without credentials alone', () => {
    for (const s of ['postgres://db:5432/shop', 'schemas/orders.avsc:3:11 error x@y', 'email a@b.com', 'http://registry:8081/subjects']) {
      expect(redact(s)).toBe(s);
    }
  });
});
