export * from './catalog';
export * from './locate';
export * from './validator';
export * from './scope';
