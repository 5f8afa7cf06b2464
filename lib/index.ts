// The public API of ocpkit, one namespace-free export per domain.
export * from './core';
export * from './data';
export * from './gitops';
export * from './schema';
export * from './synth';
export * from './tenancy';
export * from './openshift';
export * from './certs';
export * from './policy';
