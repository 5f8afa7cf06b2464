export * from './synthesizer';
export * from './write-tree';
export * from './pipeline';
export * from './overrides';
