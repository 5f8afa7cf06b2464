import { Problem } from '../core/errors';
import { Platform } from '../platform/platform';
import { CheckContext, SynthCheck } from '../synth/pipeline';
import { CatalogSource, MARKETPLACE_NAMESPACE } from './catalog-source';
import { OperatorInstall } from './operator-install';

const SHIPPED_CATALOGS = [CatalogSource.REDHAT_OPERATORS, CatalogSource.CERTIFIED_OPERATORS, CatalogSource.COMMUNITY_OPERATORS, CatalogSource.REDHAT_MARKETPLACE].map((c) => c.name);

/**
 * Every OperatorInstall pin (package, channel, starting CSV, catalog source) checked against the
 * operator catalog of its cluster's declared OpenShift version (lib/platform/operator-catalog.ts):
 * a pin the catalog contradicts, or cannot confirm, is one problem per finding naming the
 * construct, the field and what the catalog allows, unless the install carries a catalog waiver
 * with a reason. A waiver on a pin the catalog confirms is a problem too, so waivers do not
 * outlive the reason they were written for.
 */
export const OPERATOR_CATALOG_CHECK: SynthCheck = {
  id: 'operator-catalog',
  phase: 'check',
  check(_objects, ctx: CheckContext): Problem[] {
    const problems: Problem[] = [];
    for (const root of ctx.roots) {
      const platform = Platform.of(root);
      if (!platform) continue;
      for (const c of ctx.constructsOf(root)) {
        if (!(c instanceof OperatorInstall)) continue;
        problems.push(...checkOperatorPin(c, platform));
      }
    }
    return problems;
  },
};

/** The catalog problems of one install (empty when the pin is confirmed or waived). */
export function checkOperatorPin(install: OperatorInstall, platform: Platform): Problem[] {
  // A catalog of one's own (a mirror in a disconnected cluster) may carry any package: the
  // source is only checked against the catalog sources OpenShift ships.
  const shipped = install.catalog.namespace === MARKETPLACE_NAMESPACE && SHIPPED_CATALOGS.includes(install.catalog.name);
  const verdict = platform.catalog.checkPin(
    { packageName: install.packageName, channel: install.channel, startingCsv: install.startingCsv, catalogSource: shipped ? install.catalog.name : undefined },
    platform.openshift,
  );
  const path = install.node.path;
  const waiver = install.catalogWaiver;
  if (verdict.status === 'ok') {
    return waiver
      ? [{ path, field: 'catalogWaiver', message: `the OpenShift ${platform.openshift} operator catalog confirms ${install.startingCsv} (channel "${install.channel}"), so the waiver is not needed; remove it` }]
      : [];
  }
  if (waiver) return [];
  const hint = verdict.status === 'unknown'
    ? 'if the pin is right, add catalogWaiver: { reason } citing where OpenShift support is documented'
    : 'fix the pin, or add catalogWaiver: { reason } saying why it is right anyway';
  return verdict.findings.map((f) => ({ path, field: f.field, message: `${f.message}; ${hint}` }));
}
