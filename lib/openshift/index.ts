export * from './external-image';
export * from './image-stream';
export * from './route';
export * from './container-app';
