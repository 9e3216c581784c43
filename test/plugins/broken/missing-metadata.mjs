const complete = {
  id: 'incomplete-x',
  title: 'A check',
  category: 'hardening',
  severity: 'low',
  description: 'd',
  rationale: 'r',
  remediation: 'm',
  tags: [],
  needs: ['Service'],
};
const without = (key) => Object.fromEntries(Object.entries(complete).filter(([k]) => k !== key));
const reportAll = function* (inventory) {
  for (const service of inventory.ofKind('Service')) yield { resource: service, message: `reported by ${this.meta.id}` };
};

export default {
  apiVersion: 1,
  name: 'missing-metadata',
  checks: [
    { meta: { ...without('remediation'), id: 'incomplete-no-remediation' }, run: reportAll },
    { meta: { ...complete, id: 'incomplete-bad-category', category: 'policy' }, run: reportAll },
    { meta: { ...complete, id: 'Incomplete_Id' }, run: reportAll },
    { meta: { ...without('needs'), id: 'incomplete-no-needs' }, run: reportAll },
    { meta: { ...complete, id: 'incomplete-no-run' } },
    { meta: { ...complete, id: 'incomplete-bare-custom-kind', needs: ['Notebook'] }, run: reportAll },
    { meta: { ...complete, id: 'complete-check-of-a-partly-broken-plugin' }, run: reportAll },
  ],
};
