export * from './acme-cluster-issuer';
export * from './acme-issuer';
export * from './certificate-scope';
export * from './issuer';
