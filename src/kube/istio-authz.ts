import { asArray, asObject, asString, dig } from '../core/json.js';
import type { Resource } from '../core/types.js';
import { classifyCidr } from './cidr.js';
import { action, matchesIstioPath, strings } from './istio-policies.js';

/**
 * Istio's AuthorizationPolicy evaluation for one workload, as Envoy applies it: CUSTOM first (a matching
 * CUSTOM policy hands the request to its external authorizer), then DENY (a match rejects), then ALLOW
 * (with no ALLOW policy everything passes; otherwise a match is needed). Used to ask one question: can
 * someone outside the cluster, with no credentials, get a request through to what lies behind the
 * gateway without being authenticated? The outsider controls the path, method, host, port and every
 * header, but has no peer identity (no mTLS principal or namespace), no valid JWT (no request principal)
 * and an ordinary public address.
 */

/** Policies that apply to one workload, sorted by action. AUDIT policies decide nothing and are left out. */
export interface WorkloadPolicies {
  /** CUSTOM policies whose provider the mesh registers (or may register, when the mesh config is unknown). */
  custom: readonly Resource[];
  deny: readonly Resource[];
  allow: readonly Resource[];
}

/** One request an outsider can send; `attributes` holds request headers (`request.headers[x]`) and other condition keys. */
export interface OutsiderRequest {
  path: string;
  method: string;
  host: string;
  port: string;
  /** Condition keys (`request.headers[authorization]`, ...) with the value sent, `null` when absent. */
  attributes: ReadonlyMap<string, string | null>;
}

export type Verdict =
  /** A CUSTOM policy matched: the request goes to its external authorizer, which authenticates it. */
  | { outcome: 'custom'; policy: Resource }
  /** A DENY policy matched. */
  | { outcome: 'denied'; policy: Resource }
  /** ALLOW policies apply and none matched. */
  | { outcome: 'not-allowed' }
  /** Let through unauthenticated: by a matching ALLOW policy, or because no ALLOW policy applies (`policy` null). */
  | { outcome: 'allowed'; policy: Resource | null };

export const AUTHORIZATION_HEADER = 'request.headers[authorization]';

/** The decision Istio takes on a request, given the policies of the workload. */
export function decide(request: OutsiderRequest, policies: WorkloadPolicies): Verdict {
  const custom = policies.custom.find((policy) => policyMatches(policy, request));
  if (custom) return { outcome: 'custom', policy: custom };
  const deny = policies.deny.find((policy) => policyMatches(policy, request));
  if (deny) return { outcome: 'denied', policy: deny };
  if (policies.allow.length === 0) return { outcome: 'allowed', policy: null };
  const allow = policies.allow.find((policy) => policyMatches(policy, request));
  return allow ? { outcome: 'allowed', policy: allow } : { outcome: 'not-allowed' };
}

/** Sorts applicable policies by action; CUSTOM ones only when `registered` says Istio knows their provider. */
export function sortPolicies(applicable: readonly Resource[], registered: (provider: string | null) => boolean): WorkloadPolicies {
  const custom: Resource[] = [];
  const deny: Resource[] = [];
  const allow: Resource[] = [];
  for (const policy of applicable) {
    const kind = action(policy);
    if (kind === 'CUSTOM' && registered(asString(dig(policy.obj, 'spec', 'provider', 'name')))) custom.push(policy);
    else if (kind === 'DENY') deny.push(policy);
    else if (kind === 'ALLOW') allow.push(policy);
  }
  return { custom, deny, allow };
}

export interface OutsiderAccess {
  /** Requests that pass unauthenticated, the most ordinary first; empty when every outsider request is authenticated or rejected. */
  open: Array<{ request: OutsiderRequest; verdict: Extract<Verdict, { outcome: 'allowed' }> }>;
  /** CUSTOM policies that outsider requests are handed to. */
  authenticatedBy: Resource[];
  /** DENY policies, and ALLOW policies by not matching, that turned outsider requests away. */
  rejectedBy: Resource[];
  /** Some ALLOW policies applied but none matched some request (the ALLOW side rejected it). */
  allowListRejects: boolean;
}

// Requests to these reach the login itself or a health probe, not the application behind the gateway.
const EXEMPT_PREFIXES = ['/dex', '/oauth2', '/healthz', '/health', '/ready', '/readyz', '/livez'];
const MAX_REQUESTS = 20_000;

/**
 * Every kind of request an outsider can send to `paths` (the application's own paths) and to paths the
 * policies name, with every header choice that makes a difference to the policies, judged one by one.
 */
export function outsiderAccess(policies: WorkloadPolicies, paths: readonly string[]): OutsiderAccess {
  const all = [...policies.custom, ...policies.deny, ...policies.allow];
  const result: OutsiderAccess = { open: [], authenticatedBy: [], rejectedBy: [], allowListRejects: false };
  for (const request of candidateRequests(all, paths)) {
    const verdict = decide(request, policies);
    if (verdict.outcome === 'allowed') result.open.push({ request, verdict });
    else if (verdict.outcome === 'custom') addOnce(result.authenticatedBy, verdict.policy);
    else if (verdict.outcome === 'denied') addOnce(result.rejectedBy, verdict.policy);
    else {
      result.allowListRejects = true;
      for (const policy of policies.allow) addOnce(result.rejectedBy, policy);
    }
  }
  return result;
}

function addOnce(list: Resource[], item: Resource): void {
  if (!list.includes(item)) list.push(item);
}

/** `GET /` with an Authorization header that is not a valid JWT. */
export function describeRequest(request: OutsiderRequest): string {
  const parts: string[] = [];
  for (const [key, value] of request.attributes) {
    if (value === null) continue;
    const header = /^request\.headers\[(.+)\]$/.exec(key)?.[1];
    if (key === AUTHORIZATION_HEADER) parts.push('an Authorization header that is not a valid JWT');
    else if (header) parts.push(`header ${header}: ${value}`);
    else parts.push(`${key} ${value}`);
  }
  return `${request.method} ${request.path}${parts.length > 0 ? ` with ${parts.join(' and ')}` : ''}`;
}

// ---------------------------------------------------------------------------------------------------
// Matching

function policyMatches(policy: Resource, request: OutsiderRequest): boolean {
  // A policy without rules matches no request (an ALLOW without rules thus allows nothing).
  return rulesOf(policy).some((rule) => ruleMatches(rule, request));
}

function rulesOf(policy: Resource): Array<Record<string, unknown>> {
  return asArray(dig(policy.obj, 'spec', 'rules'))
    .map(asObject)
    .filter((rule): rule is Record<string, unknown> => rule !== null);
}

function ruleMatches(rule: Record<string, unknown>, request: OutsiderRequest): boolean {
  const from = asArray(rule['from']);
  if (from.length > 0 && !from.some((entry) => sourceMatches(asObject(asObject(entry)?.['source']) ?? {}))) return false;
  const to = asArray(rule['to']);
  if (to.length > 0 && !to.some((entry) => operationMatches(asObject(asObject(entry)?.['operation']) ?? {}, request))) return false;
  return asArray(rule['when']).every((entry) => conditionMatches(asObject(entry) ?? {}, request));
}

/**
 * The source of an outsider's request: no peer principal or namespace (it arrives at the gateway from
 * outside the mesh), no request principal (no valid JWT), a public address that wide ranges hold.
 */
function sourceMatches(source: Record<string, unknown>): boolean {
  for (const field of ['principals', 'requestPrincipals', 'namespaces']) {
    if (strings(source[field]).length > 0) return false;
  }
  for (const field of ['ipBlocks', 'remoteIpBlocks']) {
    const ranges = strings(source[field]);
    if (ranges.length > 0 && !ranges.some(isWide)) return false;
  }
  for (const field of ['notIpBlocks', 'notRemoteIpBlocks']) {
    if (strings(source[field]).some(isWide)) return false;
  }
  // notPrincipals, notRequestPrincipals, notNamespaces hold for a request that has none.
  return true;
}

function isWide(range: string): boolean {
  return classifyCidr(range) === 'wide';
}

function operationMatches(operation: Record<string, unknown>, request: OutsiderRequest): boolean {
  const check = (field: string, value: string, match: (pattern: string, value: string) => boolean): boolean => {
    const listed = strings(operation[field]);
    const excluded = strings(operation[`not${field[0]!.toUpperCase()}${field.slice(1)}`]);
    if (listed.length > 0 && !listed.some((pattern) => match(pattern, value))) return false;
    return !excluded.some((pattern) => match(pattern, value));
  };
  return (
    check('paths', request.path, matchesIstioPath) &&
    check('methods', request.method, (pattern, value) => pattern === value) &&
    check('hosts', request.host, (pattern, value) => matchesValue(pattern.toLowerCase(), value)) &&
    check('ports', request.port, (pattern, value) => pattern === value)
  );
}

function conditionMatches(condition: Record<string, unknown>, request: OutsiderRequest): boolean {
  const key = normaliseKey(asString(condition['key']) ?? '');
  const values = strings(condition['values']);
  const notValues = strings(condition['notValues']);
  if (key === 'source.ip' || key === 'remote.ip') {
    if (values.length > 0 && !values.some(isWide)) return false;
    return !notValues.some(isWide);
  }
  const value = attributeOf(key, request);
  if (values.length > 0 && (value === null || !values.some((pattern) => matchesValue(pattern, value)))) return false;
  return value === null || !notValues.some((pattern) => matchesValue(pattern, value));
}

function attributeOf(key: string, request: OutsiderRequest): string | null {
  if (key === 'destination.port') return request.port;
  // What an outsider cannot have: a verified JWT and its claims, a peer identity.
  if (key.startsWith('request.auth.') || key === 'source.principal' || key === 'source.namespace') return null;
  return request.attributes.get(key) ?? null;
}

/** Istio's value patterns: exact, `prefix*`, `*suffix`, and `*` for "present". */
function matchesValue(pattern: string, value: string): boolean {
  if (pattern === '*') return true;
  if (pattern.endsWith('*')) return value.startsWith(pattern.slice(0, -1));
  if (pattern.startsWith('*')) return value.endsWith(pattern.slice(1));
  return pattern === value;
}

// Header names are case-insensitive: `request.headers[Authorization]` is the authorization header.
function normaliseKey(key: string): string {
  const header = /^request\.headers\[(.+)\]$/.exec(key.trim());
  return header ? `request.headers[${header[1]!.trim().toLowerCase()}]` : key.trim();
}

// ---------------------------------------------------------------------------------------------------
// The requests worth trying

/** A value that an exact pattern, a prefix, a suffix or a presence test would take. */
function instances(pattern: string): string[] {
  if (pattern === '*') return [];
  if (pattern.endsWith('*')) return [`${pattern.slice(0, -1)}kfscan`];
  if (pattern.startsWith('*')) return [`kfscan${pattern.slice(1)}`];
  return [pattern];
}

function pathInstances(pattern: string): string[] {
  if (pattern.includes('{*}') || pattern.includes('{**}')) return [pattern.replace(/\{\*\*\}/g, 'kfscan/kfscan').replace(/\{\*\}/g, 'kfscan')];
  if (pattern === '*') return [];
  if (pattern.endsWith('*')) return [`${pattern.slice(0, -1)}kfscan`];
  if (pattern.startsWith('*')) return [`/kfscan${pattern.slice(1)}`];
  return [pattern];
}

function isExempt(path: string): boolean {
  return EXEMPT_PREFIXES.some((prefix) => path === prefix || path.startsWith(`${prefix}/`));
}

function candidateRequests(policies: readonly Resource[], basePaths: readonly string[]): OutsiderRequest[] {
  const paths = new Set(basePaths);
  const methods = new Set(['GET', 'POST']);
  const hosts = new Set(['kfscan.invalid']);
  const ports = new Set(['8080']);
  const attributes = new Map<string, Set<string | null>>([[AUTHORIZATION_HEADER, new Set([null, 'Basic kfscan'])]]);
  for (const policy of policies) {
    for (const rule of rulesOf(policy)) {
      for (const entry of asArray(rule['to'])) {
        const operation = asObject(asObject(entry)?.['operation']) ?? {};
        for (const p of [...strings(operation['paths']), ...strings(operation['notPaths'])]) {
          for (const path of pathInstances(p)) if (path.startsWith('/') && !isExempt(path)) paths.add(path);
        }
        for (const m of [...strings(operation['methods']), ...strings(operation['notMethods'])]) methods.add(m);
        for (const h of [...strings(operation['hosts']), ...strings(operation['notHosts'])]) for (const host of instances(h.toLowerCase())) hosts.add(host);
        for (const port of [...strings(operation['ports']), ...strings(operation['notPorts'])]) ports.add(port);
      }
      for (const entry of asArray(rule['when'])) {
        const condition = asObject(entry) ?? {};
        const key = normaliseKey(asString(condition['key']) ?? '');
        if (key === '' || key === 'destination.port' || key === 'source.ip' || key === 'remote.ip') continue;
        if (key.startsWith('request.auth.') || key === 'source.principal' || key === 'source.namespace') continue;
        const values = attributes.get(key) ?? new Set<string | null>([null, 'kfscan']);
        for (const v of [...strings(condition['values']), ...strings(condition['notValues'])]) for (const value of instances(v)) values.add(value);
        attributes.set(key, values);
      }
    }
  }
  const keys = [...attributes.keys()];
  const out: OutsiderRequest[] = [];
  const assign = (index: number, chosen: Map<string, string | null>, base: Omit<OutsiderRequest, 'attributes'>): void => {
    if (out.length >= MAX_REQUESTS) return;
    if (index === keys.length) {
      out.push({ ...base, attributes: new Map(chosen) });
      return;
    }
    for (const value of attributes.get(keys[index]!)!) {
      chosen.set(keys[index]!, value);
      assign(index + 1, chosen, base);
    }
  };
  for (const path of paths) {
    for (const method of methods) {
      for (const host of hosts) {
        for (const port of ports) assign(0, new Map(), { path, method, host, port });
      }
    }
  }
  return out;
}
