import { AcmeClusterIssuer, Dns01Solver, Issuers, LETSENCRYPT_STAGING, routeCertificateAnnotations } from '../../lib/certs';
import { SecretKey } from '../../lib/core/secret-key';
import { GitOpsApp } from '../../lib/gitops/gitops-app';
import { find, synth, testCluster } from '../_helpers';

describe('AcmeClusterIssuer', () => {
  test('Let\'s Encrypt with RFC 2136 DNS-01, limited to the listed zones', () => {
    const c = testCluster();
    const app = new GitOpsApp(c, 'Certs', { name: 'certs' });
    const issuer = new AcmeClusterIssuer(app, 'Le', {
      name: 'letsencrypt-dns',
      email: 'admins@example.org',
      dnsZones: ['example.org'],
      dns01: Dns01Solver.rfc2136({ nameserver: 'ns1.example.org:53', tsigKeyName: 'cert-manager', tsigSecret: SecretKey.of('tsig', 'secret') }),
    });
    expect(issuer.issuerKind).toBe('ClusterIssuer');
    const ci = find(synth(c), 'ClusterIssuer', 'letsencrypt-dns');
    expect(ci.metadata.namespace).toBeUndefined();
    expect(ci.spec.acme).toEqual({
      email: 'admins@example.org',
      server: 'https://acme-v02.api.letsencrypt.org/directory',
      privateKeySecretRef: { name: 'letsencrypt-dns-account-key' },
      solvers: [{
        dns01: { rfc2136: { nameserver: 'ns1.example.org:53', tsigAlgorithm: 'HMACSHA512', tsigKeyName: 'cert-manager', tsigSecretSecretRef: { key: 'secret', name: 'tsig' } } },
        selector: { dnsZones: ['example.org'] },
      }],
    });
  });

  test('Cloudflare solver and the staging directory', () => {
    const c = testCluster();
    const app = new GitOpsApp(c, 'Certs', { name: 'certs' });
    new AcmeClusterIssuer(app, 'Le', { name: 'le-staging', email: 'a@example.org', server: LETSENCRYPT_STAGING, dns01: Dns01Solver.cloudflare({ apiToken: SecretKey.of('cf', 'token') }) });
    const ci = find(synth(c), 'ClusterIssuer', 'le-staging');
    expect(ci.spec.acme.server).toBe(LETSENCRYPT_STAGING);
    expect(ci.spec.acme.solvers[0]).toEqual({ dns01: { cloudflare: { apiTokenSecretRef: { key: 'token', name: 'cf' } } } });
  });

  test('Route annotations name the issuer for cert-manager openshift-routes', () => {
    expect(routeCertificateAnnotations(Issuers.clusterIssuer('letsencrypt-dns'))).toEqual({
      'cert-manager.io/issuer-group': 'cert-manager.io',
      'cert-manager.io/issuer-kind': 'ClusterIssuer',
      'cert-manager.io/issuer-name': 'letsencrypt-dns',
    });
  });

  test('bad e-mail, server and zones are reported together', () => {
    const app = new GitOpsApp(testCluster(), 'Certs', { name: 'certs' });
    expect(() => new AcmeClusterIssuer(app, 'Le', {
      name: 'le', email: 'nobody', server: 'http://acme.example.org', dnsZones: ['bad zone'],
      dns01: Dns01Solver.cloudflare({ apiToken: SecretKey.of('cf', 'token') }),
    })).toThrow(/\[Certs\/Le\] email: "nobody" is not an e-mail address\n\s+\[Certs\/Le\] server: "http:\/\/acme.example.org" is not an https URL[\s\S]*dnsZones\[0\]: "bad zone" is not a DNS host name/);
  });
});
