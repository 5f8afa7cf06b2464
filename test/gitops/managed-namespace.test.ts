import { ApiObject } from 'cdk8s';
import { GitOpsApp } from '../../lib/gitops/gitops-app';
import { markManagedNamespace } from '../../lib/gitops/managed-namespace';
import { find, synth, testCluster } from '../_helpers';

describe('managed-by label on namespaces', () => {
  test('every Namespace of the stack can be synced by the GitOps instance', () => {
    const c = testCluster();
    const app = new GitOpsApp(c, 'Ops', { name: 'operators' });
    new ApiObject(app, 'Ns', { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'openshift-nmstate', labels: { z: '1' } } });
    expect(find(synth(c), 'Namespace', 'openshift-nmstate').metadata.labels).toEqual({ 'argocd.argoproj.io/managed-by': 'openshift-gitops', z: '1' });
  });

  test('an explicit label is kept, other kinds are untouched', () => {
    const ns = { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'x', labels: { 'argocd.argoproj.io/managed-by': 'other-gitops' } } };
    expect(markManagedNamespace(ns, 'openshift-gitops').metadata.labels).toEqual({ 'argocd.argoproj.io/managed-by': 'other-gitops' });
    const cm = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'x' } };
    expect(markManagedNamespace(cm, 'openshift-gitops')).toEqual({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'x' } });
  });
});
