// Checks the production dependencies for high and critical advisories with `npm audit --omit=dev`.
// Exit 1 when there is one. When the registry does not answer audit requests (some mirrors refuse them),
// this says plainly that nothing was checked, and fails only with KFSCAN_AUDIT_REQUIRED=1 (set it where
// the public registry is reachable, so that an unanswered audit cannot pass for a clean one).
import { spawnSync } from 'node:child_process';

const run = spawnSync('npm', ['audit', '--omit=dev', '--json'], { encoding: 'utf8', shell: process.platform === 'win32' });
let report;
try {
  report = JSON.parse(run.stdout);
} catch {
  report = { error: { summary: (run.stderr || run.stdout || 'no output').trim().split('\n')[0] } };
}

const counts = report.metadata?.vulnerabilities;
if (!counts) {
  const why = report.message ?? report.error?.summary ?? 'no audit report';
  console.error(`npm audit: advisories NOT checked: the registry did not answer (${why})`);
  process.exit(process.env.KFSCAN_AUDIT_REQUIRED === '1' ? 2 : 0);
}

const serious = Object.values(report.vulnerabilities ?? {}).filter((v) => v.severity === 'high' || v.severity === 'critical');
for (const v of serious) console.error(`npm audit: ${v.severity}: ${v.name} ${v.range}`);
console.log(`npm audit: ${counts.total ?? 0} advisories in production dependencies, ${serious.length} high or critical`);
process.exit(serious.length > 0 ? 1 : 0);
