export * from './catalog-source';
export * from './operator-install';
