/**
 * The approval script of {@link InstallPlanApprover} (./installplan-approver.ts), kept apart so
 * tests can run it for real with `sh` and a fake `oc`.
 *
 * It needs only a POSIX shell and `oc`: the OpenShift CLI image of 4.14 is the `cli` image of
 * openshift/oc (branch release-4.14, images/cli/Dockerfile.rhel: `oc` on the `ocp/4.14:base`
 * image), whose base (openshift/images, branch release-4.14, base/Dockerfile.rhel) installs no
 * `jq`. So InstallPlans are read with `oc ... -o jsonpath` and parsed with shell built-ins only.
 *
 * Facts the logic relies on (operator-framework/api as vendored by openshift/operator-framework-olm,
 * branch release-4.14, staging/api/pkg/operators/v1alpha1/installplan_types.go, and
 * staging/operator-lifecycle-manager/pkg/controller/operators/catalog/operator.go):
 * - `spec.clusterServiceVersionNames` lists every CSV the plan installs; `spec.approved` is a bool;
 * - a plan of a Manual subscription is created in phase `RequiresApproval`, and the catalog
 *   operator moves it to `Installing` once `spec.approved` is true.
 */

/** Where the pod mounts the pins ConfigMap; its key {@link PINS_KEY} holds the pins. */
export const PINS_DIR = '/etc/installplan-approver';
/** ConfigMap key of the pins: one `namespace subscription csv` line per pin, sorted. */
export const PINS_KEY = 'pins';

/**
 * The `oc get installplans -o jsonpath` template: one line per plan,
 * `name|approved|phase|csv csv ...`. `|` (not a space) separates the fields so that an empty
 * phase stays an empty field when the shell splits the line; the CSV names come last, joined by
 * spaces as kubectl's jsonpath printer joins the results of `[*]`.
 */
export const INSTALLPLAN_JSONPATH = '{range .items[*]}{.metadata.name}{"|"}{.spec.approved}{"|"}{.status.phase}{"|"}{.spec.clusterServiceVersionNames[*]}{"\\n"}{end}';

/**
 * Approves an InstallPlan only when it is not approved yet, waits for approval
 * (`RequiresApproval`), and every CSV in it is a pinned CSV of its namespace. Anything else is
 * left alone and logged. Exits 1 when a namespace could not be read or a patch failed (the Job
 * then shows as failed), 0 otherwise.
 */
export const APPROVER_SCRIPT = `#!/bin/sh
# ocpkit InstallPlanApprover: approve only InstallPlans whose every CSV is pinned in Git.
set -u
set -f
pins="\${PINS_FILE:-${PINS_DIR}/${PINS_KEY}}"
template='${INSTALLPLAN_JSONPATH}'
status=0
approved=0
refused=0

if [ ! -r "$pins" ]; then
  echo "error: pins file $pins is not readable" >&2
  exit 1
fi

# is_pinned NAMESPACE CSV: true when the pins file pins CSV in NAMESPACE.
is_pinned() {
  while read -r pin_ns pin_sub pin_csv rest; do
    if [ "$pin_ns" = "$1" ] && [ "$pin_csv" = "$2" ]; then
      return 0
    fi
  done < "$pins"
  return 1
}

# The pinned namespaces, each once, in the order of the pins file.
namespaces=""
while read -r pin_ns pin_sub pin_csv rest; do
  case "$pin_ns" in
    ''|'#'*) continue ;;
  esac
  case " $namespaces " in
    *" $pin_ns "*) ;;
    *) namespaces="$namespaces $pin_ns" ;;
  esac
done < "$pins"

for ns in $namespaces; do
  if ! plans=$(oc get installplans.operators.coreos.com -n "$ns" -o "jsonpath=$template"); then
    echo "error: cannot list InstallPlans in namespace $ns" >&2
    status=1
    continue
  fi
  while IFS='|' read -r name is_approved phase csvs; do
    [ -n "$name" ] || continue
    case "$name" in
      *[!a-z0-9.-]*)
        echo "refused: InstallPlan name '$name' in $ns is not a Kubernetes name"
        refused=$((refused + 1))
        continue ;;
    esac
    if [ "$is_approved" = "true" ]; then
      echo "skipped: $ns/$name is approved already"
      continue
    fi
    if [ "$phase" != "RequiresApproval" ]; then
      echo "skipped: $ns/$name is in phase '$phase', not RequiresApproval"
      continue
    fi
    unpinned=""
    count=0
    for csv in $csvs; do
      count=$((count + 1))
      if ! is_pinned "$ns" "$csv"; then
        unpinned="$unpinned $csv"
      fi
    done
    if [ "$count" -eq 0 ]; then
      echo "refused: $ns/$name names no ClusterServiceVersion"
      refused=$((refused + 1))
      continue
    fi
    if [ -n "$unpinned" ]; then
      echo "refused: $ns/$name installs CSVs not pinned in $ns:$unpinned (pinned CSVs are changed in Git)"
      refused=$((refused + 1))
      continue
    fi
    if oc patch installplans.operators.coreos.com "$name" -n "$ns" --type merge -p '{"spec":{"approved":true}}' >/dev/null; then
      echo "approved: $ns/$name ($csvs)"
      approved=$((approved + 1))
    else
      echo "error: cannot approve $ns/$name" >&2
      status=1
    fi
  done <<EOF
$plans
EOF
done

echo "done: $approved approved, $refused refused"
exit $status
`;
