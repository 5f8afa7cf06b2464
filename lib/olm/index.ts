export * from './catalog-source';
export * from './operator-install';
export * from './catalog-check';
export * from './installplan-approver';
