/**
 * Module boundaries (STYLE.md "A domain module", ARCHITECTURE.md "Layout"), checked by `npm run deps` in `npm test`.
 *
 * Type-only imports count (tsPreCompilationDeps): a type couples modules as much as a function does.
 * Folder-level cycles (server/src/<folder> → … → server/src/<folder>) are not a dependency-cruiser rule: its
 * no-circular works on files. `npm run deps` pipes this cruise's JSON through server/test/dependency-check.mjs,
 * which reports these rules' violations and collapses the graph to server/src/<folder> (a root file such as
 * errors.ts is its own node) to fail on any cycle between folders. Tests and testing/ helpers are left out of the
 * folder graph: they may import across modules to set up what they test.
 */
module.exports = {
  forbidden: [
    {
      name: 'no-circular',
      severity: 'error',
      comment: 'No file-level import cycles (STYLE.md "Comments, size, hygiene").',
      from: {},
      to: { circular: true },
    },
    {
      name: 'no-foreign-store',
      severity: 'error',
      comment:
        'Another module calls a module\'s service, never its store or its tables (STYLE.md "A domain module"). ' +
        'db/schema.ts composes the Database from every tables.ts (type-only, next rule).',
      from: {
        path: '^server/src/([^/]+)/',
        pathNot: ['^server/src/db/schema\\.ts$', '^server/src/[^/]+/tables\\.ts$'],
      },
      to: { path: '^server/src/([^/]+)/(store|tables)(\\.ts$|/)', pathNot: '^server/src/$1/' },
    },
    {
      name: 'tables-share-types-only',
      severity: 'error',
      comment:
        "A table's column may name a vocabulary another module owns (the inbox's source is an integration source): " +
        "one tables.ts may import another's types, nothing else, and never a store.",
      from: { path: '^server/src/([^/]+)/tables\\.ts$' },
      to: {
        path: '^server/src/([^/]+)/(store|tables)(\\.ts$|/)',
        pathNot: '^server/src/$1/',
        dependencyTypesNot: ['type-only'],
      },
    },
    {
      name: 'schema-imports-table-types-only',
      severity: 'error',
      comment: 'db/schema.ts names the tables of every module; it imports their types, nothing else.',
      from: { path: '^server/src/db/schema\\.ts$' },
      to: { path: '^server/src/[^/]+/tables\\.ts$', dependencyTypesNot: ['type-only'] },
    },
    {
      name: 'no-fastify-below-routes',
      severity: 'error',
      comment: 'Services and stores know nothing of HTTP: routes call them (STYLE.md "A domain module").',
      from: { path: '^server/src/.+/(service|store)(\\.ts$|/)' },
      to: { path: '(^|/)node_modules/(fastify|@fastify/)' },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: { exportsFields: ['exports'], conditionNames: ['import', 'require', 'node', 'default'] },
  },
}
