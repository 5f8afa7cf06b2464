export * from './platform';
export * from './operator-catalog';
