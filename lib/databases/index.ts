export * from './postgres';
export * from './mysql';
export * from './redis';
export * from './workload-cost';
export type { ComputeResources, S3Target } from './_common';
export * from './operators';
export * from './s3-endpoint';
