export * from './group-access';
export * from './network-isolation';
export * from './pod-security';
export * from './tenant';
export * from './tenant-project';
export * from './tenant-quota';
export * from './tenancy-app';
export * from './tenant-file';
