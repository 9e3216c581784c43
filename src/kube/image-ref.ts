import { parseFamiliarName } from '@swimlane/docker-reference';

export interface ImageRef {
  raw: string;
  /** Registry host with port, normalised: `docker.io` for Docker Hub in all its spellings. */
  registry: string;
  /** Repository path without the registry: `library/python`, `tensorflow/tensorflow`. */
  repository: string;
  tag: string | null;
  digest: string | null;
}

// A cluster runs thousands of containers from a few dozen images, and several checks parse each of them.
const parsed = new Map<string, Readonly<ImageRef> | null>();
const PARSED_LIMIT = 10_000;

/**
 * Parses an image reference by the distribution/reference rules (registry with port, Docker Hub
 * `library/` names, digests), or returns `null` for something a container runtime would refuse.
 */
export function parseImageRef(raw: string): Readonly<ImageRef> | null {
  let ref = parsed.get(raw);
  if (ref === undefined) {
    if (parsed.size >= PARSED_LIMIT) parsed.clear();
    ref = parse(raw);
    parsed.set(raw, ref);
  }
  return ref;
}

// What analyses ask of every container's image: its name (`registry/repository`), and whether the name
// matches a pattern. A few dozen images run in thousands of containers: each answer is worked out once.
const names = new Map<string, string | null>();
const nameTests = new WeakMap<RegExp, Map<string, boolean>>();

/** `registry/repository` of an image reference (`docker.io/library/python`), `null` when it does not parse or is not a string. */
export function imageName(raw: unknown): string | null {
  if (typeof raw !== 'string') return null;
  let name = names.get(raw);
  if (name === undefined) {
    if (names.size >= PARSED_LIMIT) names.clear();
    const ref = parseImageRef(raw);
    name = ref ? `${ref.registry}/${ref.repository}` : null;
    names.set(raw, name);
  }
  return name;
}

/** Whether an image reference parses and its name (see `imageName`) matches `pattern`, which must not be global or sticky. */
export function imageNameMatches(raw: unknown, pattern: RegExp): boolean {
  if (typeof raw !== 'string') return false;
  let tests = nameTests.get(pattern);
  if (!tests) nameTests.set(pattern, (tests = new Map<string, boolean>()));
  let matches = tests.get(raw);
  if (matches === undefined) {
    if (tests.size >= PARSED_LIMIT) tests.clear();
    const name = imageName(raw);
    matches = name !== null && pattern.test(name);
    tests.set(raw, matches);
  }
  return matches;
}

function parse(raw: string): Readonly<ImageRef> | null {
  const trimmed = raw.trim();
  if (trimmed === '') return null;
  try {
    if (!parsesQuickly(trimmed)) return null;
    const ref = parseFamiliarName(trimmed);
    return Object.freeze({
      raw,
      registry: ref.domain ?? 'docker.io',
      repository: ref.repository ?? '',
      tag: ref.tag ?? null,
      digest: ref.digest ?? null,
    });
  } catch {
    return null;
  }
}

// The reference grammar, written so that a backtracking engine matches it in linear time. The library's
// own regex separates name parts with `[-]*`, which can match nothing: on a reference that does not parse
// it backtracks exponentially (`namespace:container_cpu:rate5m` took 1.2 s, a few more letters minutes), so
// one image field in a hostile manifest hung the scan. Here a separator is never empty, which accepts the
// same names; only what this accepts reaches the library, and on those it matches at once.
const NAME_COMPONENT = '[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*';
const DOMAIN_COMPONENT = '(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])';
const DOMAIN = `${DOMAIN_COMPONENT}(?:\\.${DOMAIN_COMPONENT})*(?::[0-9]+)?`;
const TAG = '[\\w][\\w.-]{0,127}';
const DIGEST = '[a-zA-Z][a-zA-Z0-9]*(?:[-_+.][a-zA-Z][a-zA-Z0-9]*)*:[a-fA-F0-9]{32,}';
const REFERENCE = new RegExp(`^(?:${DOMAIN}/)?${NAME_COMPONENT}(?:/${NAME_COMPONENT})*(?::${TAG})?(?:@${DIGEST})?$`);
// Far above any real reference (a 255-character name, a 128-character tag, a sha512 digest).
const MAX_REFERENCE_LENGTH = 1024;

/** Whether the library may be given the reference: it has the grammar's shape and a sane length. */
function parsesQuickly(reference: string): boolean {
  return reference.length <= MAX_REFERENCE_LENGTH && REFERENCE.test(reference);
}

/** The tag a runtime pulls: the one written, or `latest` when there is neither tag nor digest. */
export function effectiveTag(ref: ImageRef): string | null {
  if (ref.tag !== null) return ref.tag;
  return ref.digest === null ? 'latest' : null;
}

// Tags that registries move on every push. `latest-gpu`, `nightly-jupyter`, `2.15-latest` included.
const ROLLING_TAG = /^(?:latest|nightly|devel|dev|edge|stable|main|master|rolling|current)(?:[-_.].*)?$|[-_.]latest$/i;

/** A reference is mutable when no digest pins it and its tag is absent or rolling. */
export function isMutableRef(ref: ImageRef): boolean {
  if (ref.digest !== null) return false;
  return ref.tag === null || ROLLING_TAG.test(ref.tag);
}

/** Full name for messages: `docker.io/tensorflow/tensorflow:latest-gpu` (implicit `latest` written out). */
export function describeRef(ref: ImageRef): string {
  const name = `${ref.registry}/${ref.repository}`;
  if (ref.digest !== null) return `${name}${ref.tag !== null ? `:${ref.tag}` : ''}@${ref.digest}`;
  return `${name}:${ref.tag ?? 'latest'}${ref.tag === null ? ' (no tag: implicit latest)' : ''}`;
}
