// Sources for the patterns whose modules validate their own `source:` keys (log-based CDC and
// trigger-fed change tables). The query and outbox sources are built in publish.ts.
import { ConfigError } from '../../errors.js';
import type { AvroRowMapper } from '../mapping.js';
import type { OtherSourceSpec, SourceSpec } from '../source-config.js';
import type { Source } from '../types.js';

export async function createSource(topic: string, spec: SourceSpec, _mapper: AvroRowMapper): Promise<Source> {
  const s = spec as OtherSourceSpec;
  throw new ConfigError(`stream ${topic}: source pattern \`${s.pattern}\` is not available in this build`);
}
