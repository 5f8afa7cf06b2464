// The 'ocpkit/diff' entry point: what a change of a synthesized tree does, as `ocpkit diff` reports
// it, for tools built on ocpkit (a review bot, a custom CI gate). Separate from 'ocpkit' so that a
// stack, which never needs it, does not load the diff's 30 modules on every synth.
// test/package/public-api.test.ts pins this list with the main entry's.
export {
  DiffInputError,
  IgnoreList,
  RISK_CLASSES,
  diffTreeFiles,
  diffTrees,
  formatMarkdown,
  formatText,
} from './diff/index';
export type {
  AppSummary,
  DiffOptions,
  DiffResult,
  FieldChange,
  FieldOp,
  FieldPath,
  IgnoreRule,
  MarkdownOptions,
  PathSegment,
  ResourceChange,
  Risk,
  RiskClass,
  RiskFinding,
  TextOptions,
} from './diff/index';
export type { TreeFiles } from './diff/read-tree';
