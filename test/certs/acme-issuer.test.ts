import { ApiObject } from 'cdk8s';
import { AcmeAccount, AcmeIssuer } from '../../lib/certs/acme-issuer';
import { Quantity } from '../../lib/core/quantity';
import { GitOpsApp } from '../../lib/gitops/gitops-app';
import { Tenant } from '../../lib/tenancy';
import { find, synth, testCluster } from '../_helpers';

const acme = AcmeAccount.rfc2136({ email: 'infra@example.org', nameserver: 'ns1.example.org:53', keyPrefix: 'acme-prod' });
const quota = { cpu: Quantity.parse('1'), memory: Quantity.parse('1Gi'), storage: Quantity.parse('1Gi') };
function forum(hostnames: string[] = ['forum.example.org', '*.forum.example.org', 'meta.forum.example.org']) {
  const c = testCluster();
  const t = new Tenant(c, 'Forum', { name: 'forum', displayName: 'Forum', groups: { admin: ['forum-admins'] }, quota, tls: { hostnames, acme } });
  return { c, t };
}
function raw(scope: any, id: string, apiVersion: string, kind: string, metadata: any, spec: any) {
  return new ApiObject(scope, id, { apiVersion, kind, metadata, spec });
}

describe('AcmeIssuer (one per tenant)', () => {
  test('the tenant gets a namespaced Issuer covering only its names, with its own TSIG key and DNS update policy', () => {
    const { c, t } = forum();
    expect(t.issuer!.dnsUpdatePolicy).toEqual([
      'grant acme-prod-forum name _acme-challenge.forum.example.org. TXT;',
      'grant acme-prod-forum name _acme-challenge.meta.forum.example.org. TXT;',
    ]);
    const r = synth(c);
    const issuer = find(r, 'Issuer', 'acme-dns', 'forum');
    expect(r.objects.find((o) => o.manifest.kind === 'Issuer')!.file).toBe('test/tenancy/issuer.forum.acme-dns.yaml');
    expect(issuer.spec.acme).toEqual({
      email: 'infra@example.org',
      server: 'https://acme-v02.api.letsencrypt.org/directory',
      privateKeySecretRef: { name: 'acme-dns-account-key' },
      solvers: [{
        selector: { dnsNames: ['*.forum.example.org', 'forum.example.org', 'meta.forum.example.org'] },
        dns01: { rfc2136: { nameserver: 'ns1.example.org:53', tsigKeyName: 'acme-prod-forum', tsigAlgorithm: 'HMACSHA512', tsigSecretSecretRef: { name: 'acme-dns-tsig', key: 'secret' } } },
      }],
    });
    expect(r.objects.some((o) => o.manifest.kind === 'ClusterIssuer')).toBe(false);
  });

  test('the synth check refuses what a tenant object could use to get another name, with the construct path', () => {
    const { c, t } = forum();
    raw(t, 'ClusterRoute', 'route.openshift.io/v1', 'Route', { name: 'a', namespace: 'forum', annotations: { 'cert-manager.io/issuer-name': 'letsencrypt', 'cert-manager.io/issuer-kind': 'ClusterIssuer' } }, { host: 'forum.example.org', to: { kind: 'Service', name: 'a' } });
    raw(t, 'AltNames', 'route.openshift.io/v1', 'Route', { name: 'b', namespace: 'forum', annotations: { 'cert-manager.io/issuer-name': 'acme-dns', 'cert-manager.io/alt-names': 'forum.example.org,id.example.org' } }, { host: 'forum.example.org', to: { kind: 'Service', name: 'b' } });
    raw(t, 'Cert', 'cert-manager.io/v1', 'Certificate', { name: 'c', namespace: 'forum' }, { secretName: 'c', issuerRef: { name: 'acme-dns', kind: 'Issuer' }, dnsNames: ['gitlab.example.org'] });
    raw(t, 'OwnAcme', 'cert-manager.io/v1', 'Issuer', { name: 'mine', namespace: 'forum' }, { acme: { server: 'https://acme.example.org', privateKeySecretRef: { name: 'k' }, solvers: [{ http01: { ingress: {} } }] } });
    raw(t, 'Ing', 'networking.k8s.io/v1', 'Ingress', { name: 'd', namespace: 'forum', annotations: { 'cert-manager.io/cluster-issuer': 'letsencrypt' } }, { tls: [{ hosts: ['forum.example.org'], secretName: 'd' }] });
    let message = '';
    try { synth(c); } catch (e) { message = (e as Error).message; }
    expect(message).toMatch(/\[Forum\/ClusterRoute\] \/metadata\/annotations\/cert-manager.io~1issuer-kind: Route forum\/a: names the ClusterIssuer "letsencrypt"; tenant "forum" may only use its own namespaced Issuer "acme-dns"/);
    expect(message).toMatch(/\[Forum\/AltNames\] \/metadata\/annotations\/cert-manager.io~1issuer-name: Route forum\/b: "id.example.org" is not one of the host names of tenant "forum"/);
    expect(message).toMatch(/\[Forum\/Cert\] \/spec\/issuerRef: Certificate forum\/c: "gitlab.example.org" is not one of the host names/);
    expect(message).toMatch(/\[Forum\/OwnAcme\] \/spec\/acme: Issuer forum\/mine: is an ACME Issuer besides the one tenant "forum" gets/);
    expect(message).toMatch(/\[Forum\/Ing\] \/metadata\/annotations\/cert-manager.io~1cluster-issuer: Ingress forum\/d: names the ClusterIssuer "letsencrypt"/);
  });

  test('platform namespaces are not tenant scopes; a tenant\'s own names pass', () => {
    const { c, t } = forum();
    raw(t, 'Ok', 'route.openshift.io/v1', 'Route', { name: 'ok', namespace: 'forum', annotations: { 'cert-manager.io/issuer-name': 'acme-dns', 'cert-manager.io/issuer-kind': 'Issuer' } }, { host: 'meta.forum.example.org', to: { kind: 'Service', name: 'ok' } });
    const platform = new GitOpsApp(c, 'Gitlab', { name: 'gitlab', namespace: 'gitlab-system' });
    new AcmeIssuer(platform, 'Issuer', { namespace: 'gitlab-system', hostnames: ['gitlab.example.org'], account: acme });
    expect(() => synth(c)).not.toThrow();
  });

  test('bad tls props name the tenant and the field', () => {
    expect(() => forum(['Forum.example.org'])).toThrow(/\[Forum\] tls.hostnames\[0\]: "Forum.example.org" is not a DNS host name/);
    expect(() => forum([])).toThrow(/\[Forum\] tls.hostnames: \[\] is not a list of host names/);
    expect(() => AcmeAccount.rfc2136({ email: 'x', nameserver: 'ns1' })).toThrow(/\[AcmeAccount.rfc2136\] email: "x" is not an e-mail address/);
  });
});
