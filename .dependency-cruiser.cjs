// Architecture rules, checked by `npm run lint` (see ../shared/STYLE.md "Layout").
/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    {
      name: 'no-app-to-app',
      comment: 'An app never imports another app: services talk over gRPC and Kafka only.',
      severity: 'error',
      from: { path: '^apps/([^/]+)/' },
      to: { path: '^apps/([^/]+)/', pathNot: '^apps/$1/' },
    },
    {
      name: 'no-lib-to-app',
      comment: 'Libraries are shared by every app and so cannot depend on one.',
      severity: 'error',
      from: { path: '^libs/' },
      to: { path: '^apps/' },
    },
    {
      name: 'libs-through-their-index',
      comment:
        'Code outside a lib imports it as @app/<lib> (its src/index.ts), never its internals.',
      severity: 'error',
      from: { pathNot: '^libs/([^/]+)/' },
      to: {
        path: '^libs/([^/]+)/src/.+',
        // The orchestrator (scripts/) takes kafkajs' request-queue fix alone: the kafka
        // lib's index would load NestJS into every command.
        pathNot: ['^libs/[^/]+/src/index\\.ts$', '^libs/kafka/src/request-queue-fix\\.ts$'],
      },
    },
    {
      name: 'lib-to-lib-through-index',
      comment: 'A lib uses another lib through its public entry point only.',
      severity: 'error',
      from: { path: '^libs/([^/]+)/' },
      to: { path: '^libs/[^/]+/src/.+', pathNot: ['^libs/$1/', '^libs/[^/]+/src/index\\.ts$'] },
    },
    {
      name: 'web-no-server-code',
      comment:
        'The browser client (apps/web) may use the shared contracts, the friends REST, ' +
        'profile GraphQL and messenger socket clients, never server libraries (platform, ' +
        'kafka, the auth gRPC client): they would not run in a browser.',
      severity: 'error',
      from: { path: '^apps/web/' },
      to: {
        path: '^libs/',
        pathNot: '^libs/(contracts|friends-client|messenger-client|profile-client)/',
      },
    },
    {
      name: 'messenger-client-browser-safe',
      comment:
        'libs/messenger-client runs in the browser too: types only from @app/contracts ' +
        '(its values pull zod and gRPC code), socket.io-client as its one package.',
      severity: 'error',
      from: { path: '^libs/messenger-client/src/', pathNot: '[.]spec[.]ts$' },
      to: {
        path: '^libs/contracts/|^node_modules/(?!socket[.]io-client/)',
        dependencyTypesNot: ['type-only'],
      },
    },
    {
      name: 'profile-client-browser-safe',
      comment:
        'libs/profile-client runs in the browser too: nothing but the global fetch and its ' +
        'generated documents (Node built-ins and packages only as types).',
      severity: 'error',
      from: { path: '^libs/profile-client/src/', pathNot: '[.]spec[.]ts$' },
      to: {
        dependencyTypes: ['core', 'npm', 'npm-dev', 'npm-optional', 'npm-peer', 'npm-no-pkg'],
        dependencyTypesNot: ['type-only'],
      },
    },
    {
      name: 'web-contracts-types-only',
      comment:
        'apps/web takes only types from @app/contracts (`import type`): its values pull zod ' +
        'and the generated gRPC code into the bundle.',
      severity: 'error',
      from: { path: '^apps/web/src/' },
      to: { path: '^libs/contracts/', dependencyTypesNot: ['type-only'] },
    },
    {
      name: 'web-browser-packages-only',
      comment:
        'apps/web/src runs in the browser: Node built-ins and server packages are refused; ' +
        'add a browser package to this list on purpose. Unit specs run in Node.',
      severity: 'error',
      from: { path: '^apps/web/src/', pathNot: '[.]spec[.]tsx?$' },
      to: {
        dependencyTypes: ['core', 'npm', 'npm-dev', 'npm-optional', 'npm-peer', 'npm-no-pkg'],
        pathNot: '^node_modules/(react|react-dom|socket[.]io-client)/',
      },
    },
    {
      name: 'domain-not-on-the-edge',
      comment:
        'Inside an app, services, repositories and domain code (aggregates, rules, errors, ' +
        'events, entities) never import the transport edge — request and response DTOs ' +
        '(dto/), controllers, resolvers, gateways: the edge maps to and from them. (The ' +
        "generated gRPC types come through @app/contracts' index, so ESLint checks those.)",
      severity: 'error',
      from: {
        path: [
          '^apps/[^/]+/src/.+[.](service|repository|aggregate|rules|errors|events)[.]ts$',
          '^apps/[^/]+/src/.+/entities/',
        ],
        pathNot: '[.]spec[.]ts$',
      },
      to: {
        path: [
          '^apps/[^/]+/src/.+/dto/',
          '^apps/[^/]+/src/.+[.](controller|resolver|gateway)[.]ts$',
        ],
      },
    },
    {
      name: 'no-circular',
      comment: 'Cycles make module initialisation order fragile.',
      severity: 'error',
      from: {},
      to: { circular: true },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    exclude: { path: '(^dist/|generated/)' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: {
      exportsFields: ['exports'],
      conditionNames: ['import', 'require', 'node', 'default'],
    },
  },
};
