export * from './bridge-network';
export * from './host-bridge';
export * from './ipam';
export * from './nmstate';
export * from './node-group';
