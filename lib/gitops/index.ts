export * from './cluster';
export * from './delivery-annotations';
export * from './gitops-app';
export * from './delivery';
export * from './root-app';
export * from './sync-wave';
export * from './release-train';
export * from './managed-namespace';
