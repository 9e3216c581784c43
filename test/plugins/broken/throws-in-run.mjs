const meta = (id) => ({
  id,
  title: 'A check of a broken plugin',
  category: 'hardening',
  severity: 'high',
  description: 'd',
  rationale: 'r',
  remediation: 'm',
  tags: [],
  needs: ['Service'],
});

export default {
  apiVersion: 1,
  name: 'throws-in-run',
  checks: [
    {
      meta: meta('broken-throws'),
      *run(inventory) {
        for (const service of inventory.ofKind('Service')) {
          yield { resource: service, message: `saw ${service.ref.name}` };
          const ports = service.obj.spec.missing.ports; // TypeError on the first Service
          yield { resource: service, message: String(ports) };
        }
      },
    },
    { meta: meta('broken-async'), async *run() {} },
    { meta: meta('broken-returns-nothing'), run() {} },
    {
      meta: meta('broken-invalid-draft'),
      *run(inventory) {
        const [first] = inventory.ofKind('Service');
        yield { resource: first ?? null, message: 'kept: yielded before the invalid draft' };
        yield { resource: first ?? null, message: '', severity: 'urgent' };
      },
    },
  ],
};
