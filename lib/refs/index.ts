export * from './model';
export * from './platform';
export * from './provides';
export { referencesOf, impliedObjects } from './scan';
export type { CrossNamespaceClone, ManifestRefs, ScanOptions } from './scan';
export * from './resolve-check';
export * from './externals-file';
