export * from './external-gitaly';
export * from './gitaly-endpoint';
export * from './gitlab';
export * from './gitlab-operator';
export * from './gitlab-server';
export * from './log-relay';
export * from './runner';
export * from './syslog';
