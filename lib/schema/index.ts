export * from './catalog';
export * from './locate';
export * from './validator';
export * from './scope';
export { SchemaSetError, schemaLock, lockHash } from './lock';
export type { SchemaLock, LockedFile } from './lock';
export { cachedSchemaSet, checkSchemaCache, syncSchemas } from './schema-cache';
export type { CacheStatus, SyncOptions, SyncReport, SchemaCacheOptions } from './schema-cache';
