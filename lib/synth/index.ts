export * from './synthesizer';
export * from './write-tree';
