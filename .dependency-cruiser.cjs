// The floors of the code (docs/architecture.md) as rules; `npm test` runs them and fails on any
// violation. Each shared/ folder may import only the floors below it.
const floor = (name, allowed) => ({
  name: `floor-${name}`,
  comment: `shared/${name} may import only: ${allowed.length ? allowed.join(', ') : 'nothing else in shared/'}`,
  severity: 'error',
  from: { path: `^shared/${name}/` },
  to: { path: '^shared/', pathNot: [`^shared/${name}/`, ...allowed.map((f) => `^shared/${f}/`)] },
});

// What the pure floors must never reach, even through another module: Azure SDKs, the file
// system and network, and the modules of shared/ that do I/O.
const IO = [
  '^node_modules/@azure/',
  '^node_modules/(pg|ssh2|mysql2|@kubernetes)/',
  '^(node:)?(fs|fs/promises|net|tls|http|https|http2|dns|child_process|worker_threads)$',
  '^shared/(app|gateway|approvals|sessions)/',
  '^shared/platform/(azure|azure-functions|key-vault-signer|signer|config)\\.ts$',
  '^shared/identity/(jwks-source|verifier|key-set|bearer|index)\\.ts$',
  '^shared/connections/(?!(schemas|[a-z-]+-schema|shell-flags|connection|operation|rule-text|tool-calls)\\.ts$|[^/]+/schema\\.ts$)',
];

module.exports = {
  forbidden: [
    { name: 'no-circular', severity: 'error', comment: 'no import cycles, of values or of types', from: {}, to: { circular: true } },
    floor('platform', []),
    floor('masking', ['platform']),
    floor('identity', ['platform']),
    floor('sessions', ['platform']),
    floor('connections', ['platform', 'masking']),
    floor('policy', ['platform', 'masking', 'identity', 'connections']),
    floor('guard', ['platform', 'masking', 'identity', 'connections', 'policy']),
    floor('gateway', ['platform', 'masking', 'identity', 'sessions', 'connections', 'policy', 'guard']),
    floor('approvals', ['platform', 'masking', 'identity', 'sessions', 'connections', 'policy', 'guard', 'gateway']),
    {
      name: 'pure-floors-do-no-io',
      comment: 'shared/guard, shared/masking and shared/policy reach no Azure SDK, file system, network or I/O module',
      severity: 'error',
      from: { path: '^shared/(guard|masking|policy)/' },
      to: { path: IO, reachable: true },
    },
    {
      name: 'functions-import-only-the-root',
      comment: 'a function file is glue around the composition root (shared/app)',
      severity: 'error',
      from: { path: '^functions/' },
      to: { pathNot: ['^functions/', '^shared/app/index\\.ts$'], dependencyTypesNot: ['npm', 'npm-dev', 'core'] },
    },
    {
      name: 'kinds-import-no-other-kind',
      comment: 'a connection kind is its own folder; what two kinds share lives in shared/connections/',
      severity: 'error',
      from: { path: '^shared/connections/([^/]+)/' },
      to: { path: '^shared/connections/[^/]+/', pathNot: ['^shared/connections/$1/'] },
    },
    {
      name: 'no-test-code-in-production',
      comment: 'production code never imports tests or test support',
      severity: 'error',
      from: { path: '^(shared|functions)/', pathNot: '\\.test\\.ts$' },
      to: { path: ['\\.test\\.ts$', '^test/'] },
    },
  ],
  options: {
    tsConfig: { fileName: 'tsconfig.json' },
    parser: 'swc',
    tsPreCompilationDeps: true,
    doNotFollow: { path: 'node_modules' },
    exclude: { path: ['\\.test\\.ts$', '^node_modules/'] },
  },
};
