export * from './errors';
export * from './quantity';
export * from './rules';
export * from './secret-key';
export * from './safe-yaml';
export * from './construct-ids';
