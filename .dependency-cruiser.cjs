/**
 * The import rules that keep the module map true (docs/architecture.md). `npm run lint` checks
 * them; test/unit/lint/import-rules.spec.ts proves that a violation of each one fails.
 */
const FEATURES = '(liveness|biometry|health|review)';

/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    {
      name: 'no-cycles',
      severity: 'error',
      comment: 'A cycle makes the order of module loading (and of Nest providers) fragile.',
      from: {},
      to: { circular: true },
    },
    {
      name: 'decision-is-pure',
      severity: 'error',
      comment: 'The decision table imports nothing but itself: no feature, gateway, framework or library (its module file is the DI wiring).',
      from: { path: '^src/decision/', pathNot: '^src/decision/decision[.]module[.]ts$' },
      to: { pathNot: ['^src/decision/', '^node:'] },
    },
    {
      name: 'oz-api-knows-no-feature',
      severity: 'error',
      comment: 'oz-api/ is the door to Oz: it knows Oz and config, never a feature or the problem words of common/.',
      from: { path: '^src/oz-api/' },
      to: { path: '^src/', pathNot: ['^src/oz-api/', '^src/config/'] },
    },
    {
      name: 'features-do-not-import-each-other',
      severity: 'error',
      comment: 'Features share the session (session/), not each other.',
      from: { path: `^src/${FEATURES}/` },
      to: { path: `^src/${FEATURES}/`, pathNot: '^src/$1/' },
    },
    {
      name: 'http-clients-only-in-adapters',
      severity: 'error',
      comment: 'Only the adapters of outside HTTP services (oz-api/, webhooks/) import an HTTP client.',
      from: { path: '^src/', pathNot: '^src/(oz-api|webhooks)/' },
      to: { path: 'node_modules/(undici|axios|got|node-fetch|superagent|@nestjs/axios)/' },
    },
    {
      name: 'redis-client-only-in-redis',
      severity: 'error',
      comment: 'The Redis client library is known by redis/ alone; others get a RedisClient from it.',
      from: { path: '^src/', pathNot: '^src/redis/' },
      to: { path: 'node_modules/ioredis/' },
    },
    {
      name: 'config-imports-nothing-of-ours',
      severity: 'error',
      comment: 'Configuration is read first and depends on nothing else of the service.',
      from: { path: '^src/config/' },
      to: { path: '^src/', pathNot: '^src/config/' },
    },
    {
      name: 'src-does-not-import-tests',
      severity: 'error',
      comment: 'Nothing in src/ (specs included) reaches into test/: test code never ships.',
      from: { path: '^src/' },
      to: { path: '^(test|bench|scripts|demo)/' },
    },
    {
      name: 'shipped-code-needs-no-dev-dependency',
      severity: 'error',
      comment: 'dist/ runs with production dependencies only.',
      from: { path: '^src/', pathNot: '[.]spec[.]ts$' },
      to: { dependencyTypes: ['npm-dev'] },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: { exportsFields: ['exports'], conditionNames: ['import', 'require', 'node', 'default'] },
    exclude: { path: '(^|/)(dist|coverage)/' },
  },
};
