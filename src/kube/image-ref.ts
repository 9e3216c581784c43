import { parseFamiliarName, Reference } from '@swimlane/docker-reference';
import { validateDigest } from '@swimlane/docker-reference/lib/digest.js';
import { anchoredNameRegexp, referenceRegexp } from '@swimlane/docker-reference/lib/regexp.js';
import { RE2JS } from 're2js';

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

function parse(raw: string): Readonly<ImageRef> | null {
  const trimmed = raw.trim();
  if (trimmed === '') return null;
  try {
    const ref = parseFamiliarName(trimmed, parseQualifiedNameLinear);
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

// The library's own grammar, run on RE2. Its name separator `[-]*` can match nothing, so on a reference that
// does not parse, JavaScript's backtracking engine takes exponential time: `namespace:container_cpu:rate5m`
// took 1.2 s and a few more letters minutes, so one image field in a hostile manifest hung the scan.
const REFERENCE = RE2JS.compile(referenceRegexp.source);
const NAME = RE2JS.compile(anchoredNameRegexp.source);
const NAME_MAX_LENGTH = 255;

/** The library's qualified-name step (match, split domain from path, check the digest) in linear time. */
function parseQualifiedNameLinear(name: string): Reference {
  const reference = REFERENCE.matcher(name);
  if (!reference.matches()) throw new Error('invalid reference format');
  const fullName = reference.group(1) ?? '';
  if (fullName.length > NAME_MAX_LENGTH) throw new Error('repository name too long');
  const named = NAME.matcher(fullName);
  const digest = reference.group(3);
  if (digest !== null) validateDigest(digest);
  return new Reference({
    ...(named.matches() ? { ...optional('domain', named.group(1)), repository: named.group(2) ?? '' } : { domain: '', repository: fullName }),
    ...optional('tag', reference.group(2)),
    ...optional('digest', digest),
  });
}

const optional = <K extends string>(key: K, value: string | null | undefined): Partial<Record<K, string>> =>
  (value === null || value === undefined ? {} : { [key]: value }) as Partial<Record<K, string>>;

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
