export * from './acme-cluster-issuer';
export * from './issuer';
