import type { Finding, Inventory, KubeObject, ObjectRef, ScanTarget } from '../core/types.js';

/** What the fixes are tuned by: thresholds and quota values from the command line. */
export interface RemediationOptions {
  /** Alert when a namespace has this percentage of its pods of a day before (125 = a quarter more). */
  podGrowthPercent: number;
  /** The same for CPU use. */
  cpuGrowthPercent: number;
  /** Alert when a pod's GPU utilisation stays above this percentage. */
  gpuUtilPercent: number;
  quota: { cpu: string; gpu: string; pods: string };
}

export const DEFAULT_OPTIONS: RemediationOptions = {
  podGrowthPercent: 125,
  cpuGrowthPercent: 150,
  gpuUtilPercent: 90,
  quota: { cpu: '16', gpu: '1', pods: '50' },
};

/** The fix areas, in the order the kit and its README present them. */
export const AREAS = ['exposure', 'credentials', 'falco', 'alerts', 'egress', 'quota'] as const;

export type Area = (typeof AREAS)[number];

/** A manifest the kit adds (`resources/`) or a strategic-merge patch it applies (`patches/`). */
export interface KitManifest {
  /** Path inside the kit, with forward slashes. */
  path: string;
  role: 'resource' | 'patch';
  /** The objects of the file; a patch holds exactly one, naming its target. */
  objects: KubeObject[];
  /** For patches: the object patched. */
  target?: ObjectRef;
}

/**
 * One fix: the manifests that must be applied together (a ConfigMap of rules and the patch that mounts
 * it), the findings it is meant to clear and, once verified, the findings it does clear.
 */
export interface Fix {
  id: string;
  area: Area;
  /** One line: what applying it does. */
  title: string;
  /** Paragraphs for the README: what it changes, what to check before applying, what follows. */
  explanation: string[];
  manifests: KitManifest[];
  /** Findings the generator expects the fix to clear. */
  candidates: Finding[];
  /** Set by verification: the candidates that are gone once the kit is applied. */
  addresses: Finding[];
  /**
   * False for a fix whose effect shows only in the cluster's status (a DaemonSet's pods scheduled onto
   * the nodes it now tolerates): an offline rescan keeps the old status, so it cannot prove the fix, and
   * status findings it brings (no ready pod there yet) are expected until the cluster catches up.
   */
  provableOffline?: boolean;
  /** Set by verification for fixes not provable offline: candidates the rescan could not show cleared. */
  unproven?: Finding[];
}

/** A file for people and other tools (Helm values, a rules file), not applied by kustomize. */
export interface KitDocument {
  path: string;
  content: string;
  title: string;
  explanation: string[];
}

/** Findings the kit does not fix, with what to do about them. */
export interface ManualStep {
  title: string;
  findings: Finding[];
  text: string[];
  /** Added by the kit's verification (a fix that did not clear them, or was left out), not a step that clears them. */
  unresolved?: boolean;
}

export interface FixContext {
  inventory: Inventory;
  /** The reported findings (suppressed ones are left alone). */
  findings: readonly Finding[];
  options: RemediationOptions;
}

/** What one contribution is given: the whole context, and the findings of the checks that contribute it. */
export interface KitContext extends FixContext {
  /** The reported findings of the checks that list this contribution. */
  own: readonly Finding[];
}

/**
 * A check's share of the kit (checks/<id>/remediation.ts). A contribution several checks list (the
 * ClusterIP patches of the exposure checks, the Falco rules file) is generated once, for all of them.
 */
export interface KitContribution {
  readonly area: Area;
  /** Its place among the contributions of its area, lowest first. */
  readonly order: number;
  generate(context: KitContext): GeneratorOutput;
}

export interface GeneratorOutput {
  fixes: Fix[];
  documents: KitDocument[];
  manual: ManualStep[];
}

export interface Kit {
  fixes: Fix[];
  documents: KitDocument[];
  manual: ManualStep[];
  /** Findings that the kit clears as a side effect of a fix meant for others, or that appear when it is applied. */
  verification: {
    before: number;
    after: number;
    /** Findings that appear once the kit is applied (none when it works as intended). */
    appeared: Finding[];
    /** Fixes left out because they cleared nothing or made new findings appear, with why. */
    dropped: Array<{ fix: Fix; reason: string }>;
  };
}

/** What the kit's files are written for: the README and the index name the scan they fix. */
export interface RenderContext {
  version: string;
  target: ScanTarget;
  options: RemediationOptions;
  /** Every finding the scan reported, for the README's list of what the kit does not address. */
  findings: readonly Finding[];
}

export function emptyOutput(): GeneratorOutput {
  return { fixes: [], documents: [], manual: [] };
}
