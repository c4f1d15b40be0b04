// Filled in by the inbox module's migration.
export interface InboxTables {}
