import { availableParallelism } from 'node:os';
import { BaseSequencer, type TestSpecification } from 'vitest/node';
import { defineConfig } from 'vitest/config';

// The files that wait on real services and child processes (brokers, databases, publishers, npm and git)
// start first, longest first: on two workers a long file that starts last would run alone at the end.
const SLOW = /[/\\]test[/\\](integration|install)[/\\]/;

class SlowFirst extends BaseSequencer {
  override async sort(files: TestSpecification[]): Promise<TestSpecification[]> {
    // the base order: failed first, then longest first by the last run's durations, else largest first
    const sorted = await super.sort(files);
    return [...sorted.filter((f) => SLOW.test(f.moduleId)), ...sorted.filter((f) => !SLOW.test(f.moduleId))];
  }
}

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 30_000,
    hookTimeout: 180_000,
    pool: 'forks',
    // vitest's default is one worker less than the cores, one worker on a 2-core machine; the integration
    // files spend most of their time waiting on brokers, databases and child processes, so two files at
    // once use the second core that one alone leaves idle
    maxWorkers: Math.max(2, availableParallelism() - 1),
    sequence: { sequencer: SlowFirst },
    // servers shared by the test files of one run (a Kafka broker): test/support/services.ts
    globalSetup: ['test/support/services.ts'],
  },
});
