export * from './errors';
export * from './quantity';
export * from './rules';
export * from './secret-key';
