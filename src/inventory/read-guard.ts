// What a check may read is what it declares: live mode lists exactly the kinds in the selected checks'
// `meta.needs`, so a check (or a helper it calls) that reads another kind sees it in a full run and misses
// it with `--checks` alone. With strict reads on, the inventory a check receives refuses every kind the
// check did not declare, so that a missing declaration fails a test instead of changing a result.
import { builtinGroupOf, parseKindName } from '../core/kinds.js';
import type { Check, Inventory, KindName } from '../core/types.js';
import { POD_TEMPLATE_KINDS } from './pod-template-kinds.js';

/** `KFSCAN_STRICT_READS=1`: the tests run with it, and plugin authors can turn it on to check their `needs`. */
export function strictReadsEnabled(env: Readonly<Record<string, string | undefined>> = process.env): boolean {
  const value = env['KFSCAN_STRICT_READS'];
  return value !== undefined && value !== '' && value !== '0';
}

export class UndeclaredReadError extends Error {}

/** A read a memoised analysis made, replayed when another check is served the analysis. */
type Read = { kind: KindName; what: string } | { podTemplates: string };

interface Reads {
  /** The check, as messages name it. */
  readonly who: string;
  readonly kinds: readonly KindName[];
  readonly secrets: boolean;
}

/** What a check declares it reads: its `needs`, and Secrets when it names some. */
export function declaredReads(check: Check, who = `check ${check.meta.id}`): Reads {
  const needs = Array.isArray(check.meta.needs) ? check.meta.needs : [];
  const secrets = (check.meta.namedSecrets?.length ?? 0) > 0 || typeof check.secretsToRead === 'function';
  return { who, kinds: needs, secrets };
}

// Per inventory, the reads each memoised analysis made, by memo key.
const recordedReads = new WeakMap<Inventory, Map<string, Read[]>>();

/**
 * The inventory as a check with these reads sees it: every query names the kinds it reads, and a kind the
 * check did not declare throws. `podTemplates()` and the queries built on it read every pod-bearing kind;
 * `all()` reads every kind, which live mode cannot list, so it always throws. A memoised analysis that
 * another check computed first is checked against this check's reads too.
 */
export function guardReads(inventory: Inventory, reads: Reads): Inventory {
  const recorders: Read[][] = [];
  let records = recordedReads.get(inventory);
  if (!records) recordedReads.set(inventory, (records = new Map<string, Read[]>()));
  const memoReads = records;

  const refuse = (what: string, fix: string): never => {
    throw new UndeclaredReadError(`${reads.who} read ${what}, which its meta.needs does not list: ${fix}`);
  };
  const { allowed, missingPodKinds } = verdictsFor(reads);
  const touch = (read: Read): void => {
    if ('podTemplates' in read) {
      const missing = missingPodKinds();
      if (missing.length > 0) refuse(`pod templates (through ${read.podTemplates})`, `pod templates come from every pod-bearing kind, so list all of them (missing ${missing.join(', ')})`);
    } else if (!allowed(read.kind)) {
      refuse(`${read.kind} (through ${read.what})`, isSecret(read.kind) ? 'name the Secrets it compares in meta.namedSecrets or secretsToRead()' : `add "${read.kind}" to meta.needs`);
    }
    for (const recorder of recorders) recorder.push(read);
  };
  const kind = (what: string, name: KindName): void => touch({ kind: name, what });
  const pods = (what: string): void => touch({ podTemplates: what });

  return {
    mode: inventory.mode,
    context: inventory.context,
    wholeCluster: inventory.wholeCluster,
    all() {
      return refuse('every kind (through all())', 'live mode lists only declared kinds: query them with ofKind()');
    },
    ofKind(name) {
      kind('ofKind()', name);
      return inventory.ofKind(name);
    },
    inNamespace(name, namespace) {
      kind('inNamespace()', name);
      return inventory.inNamespace(name, namespace);
    },
    get(name, namespace, objectName) {
      kind('get()', name);
      return inventory.get(name, namespace, objectName);
    },
    podTemplates() {
      pods('podTemplates()');
      return inventory.podTemplates();
    },
    podTemplatesMatching(namespace, selector) {
      pods('podTemplatesMatching()');
      return inventory.podTemplatesMatching(namespace, selector);
    },
    servicesSelecting(site) {
      kind('servicesSelecting()', 'Service');
      return inventory.servicesSelecting(site);
    },
    readability(name) {
      kind('readability()', name);
      return inventory.readability(name);
    },
    memo<T>(key: string, compute: () => T): T {
      const known = memoReads.get(key);
      if (known) {
        for (const read of known) touch(read);
        return inventory.memo(key, compute);
      }
      // Computed here (again, if code without a guard computed it first: analyses are pure), so that the
      // reads it makes are this check's and are recorded for the next check served from the memo. It is
      // computed inside the inventory's own memo, which learns the reads too (extendInventory needs them).
      const recorder: Read[] = [];
      recorders.push(recorder);
      let value: T;
      try {
        let computedHere = false;
        value = inventory.memo(key, () => {
          computedHere = true;
          return compute();
        });
        if (!computedHere) compute();
      } finally {
        recorders.pop();
      }
      const distinct = distinctReads(recorder);
      memoReads.set(key, distinct);
      for (const read of distinct) for (const outer of recorders) outer.push(read);
      return value;
    },
  };
}

interface Verdicts {
  readonly allowed: (name: KindName) => boolean;
  readonly missingPodKinds: () => readonly KindName[];
}

// A check's analyses query the same few kinds thousands of times, memo hits replay every read, and the tests
// scan thousands of times: the verdicts are kept per declaration (the same in every scan), so the strict
// mode the tests run in costs a lookup per query. Keyed by content, not by array, so that a declaration
// changed in place is judged afresh; there are as many as there are checks (and remediation groups).
const verdictsByDeclaration = new Map<string, Verdicts>();

function verdictsFor(reads: Reads): Verdicts {
  const key = `${reads.secrets ? 'secrets' : ''}\n${reads.kinds.join('\n')}`;
  let verdicts = verdictsByDeclaration.get(key);
  if (!verdicts) {
    verdicts = computedVerdicts(reads);
    if (verdictsByDeclaration.size < 1000) verdictsByDeclaration.set(key, verdicts);
  }
  return verdicts;
}

function computedVerdicts(reads: Reads): Verdicts {
  const verdicts = new Map<KindName, boolean>();
  const allowed = (name: KindName): boolean => {
    let verdict = verdicts.get(name);
    if (verdict === undefined) verdicts.set(name, (verdict = allows(reads, name)));
    return verdict;
  };
  let missing: readonly KindName[] | undefined;
  return { allowed, missingPodKinds: () => (missing ??= POD_TEMPLATE_KINDS.filter((kind) => !allowed(kind))) };
}

/** One read per kind (the first, whose `what` a refusal names): an analysis queries the same kinds over and over. */
function distinctReads(reads: readonly Read[]): Read[] {
  const seen = new Set<string>();
  return reads.filter((read) => {
    const key = 'podTemplates' in read ? '\0pods' : read.kind;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

/**
 * Whether a query by `name` stays within the declared kinds. A qualified name must be declared as it is
 * (or bare, for a built-in kind of that group); a bare name matches a declaration of that kind in its
 * built-in group, or in any group for a kind no built-in group has.
 */
function allows(reads: Reads, name: KindName): boolean {
  if (isSecret(name) && reads.secrets) return true;
  const wanted = parseKindName(name);
  return reads.kinds.some((declared) => {
    if (declared === name) return true;
    const have = parseKindName(declared);
    if (have.kind !== wanted.kind) return false;
    const builtin = builtinGroupOf(wanted.kind);
    if (wanted.group === null) return have.group === null || builtin === null || builtin === have.group;
    return have.group === null && builtin === wanted.group;
  });
}

function isSecret(name: KindName): boolean {
  const { group, kind } = parseKindName(name);
  return kind === 'Secret' && (group === null || group === '');
}
