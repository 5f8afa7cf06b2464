// The public API of ocpkit, one namespace-free export per domain.
export * from './core';
export * from './data';
export * from './gitops';
export * from './schema';
export * from './synth';
export * from './pipeline-defaults';
export * from './tenancy';
export * from './openshift';
export * from './certs';
export * from './policy';
export * from './network';
export * from './virt';
export * from './olm';
export * from './gitlab';
export * from './backup';
export * from './diff';
export * from './check/validate-tree';
