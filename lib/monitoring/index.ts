export * from './cluster-monitoring';
export * from './alert-rules';
export * from './backup-alerts';
export * from './platform-alerts';
export * from './runbook-url';
