export * from './cloud-init';
export * from './disk-source';
export * from './instancetype';
export * from './virtual-machine';
export * from './vm-template';
export * from './vm-file';
export * from './hyperconverged';
export * from './golden-images';
