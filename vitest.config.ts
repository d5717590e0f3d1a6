import { defineConfig } from 'vitest/config';

// Test files say what they need: *.unit.spec.ts (no I/O), *.int.spec.ts (real database / broker),
// *.e2e.spec.ts (the whole system over HTTP, or a browser).
export default defineConfig({
  test: {
    // the system tests share two cores: one file at a time keeps their timings honest
    fileParallelism: false,
    projects: [
      {
        test: {
          name: 'unit',
          include: ['**/*.unit.spec.ts'],
          exclude: ['**/node_modules/**'],
          // GitHub's workflow parser imports its JSON schema without an import attribute, which Node's
          // own loader refuses: vite transforms it instead (deploy/test/workflow.unit.spec.ts)
          server: { deps: { inline: ['@actions/workflow-parser'] } },
        },
      },
      { test: { name: 'int', include: ['**/*.int.spec.ts'], exclude: ['**/node_modules/**'], testTimeout: 120_000, hookTimeout: 120_000 } },
      { test: { name: 'e2e', include: ['**/*.e2e.spec.ts'], exclude: ['**/node_modules/**'], testTimeout: 180_000, hookTimeout: 120_000 } },
    ],
  },
});
