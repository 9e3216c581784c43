const meta = (id, extra = {}) => ({
  id,
  title: 'A clashing check',
  category: 'exposure',
  severity: 'critical',
  description: 'd',
  rationale: 'r',
  remediation: 'm',
  tags: [],
  needs: ['Service'],
  ...extra,
});
const everything = (message) => function* (inventory) {
  for (const service of inventory.ofKind('Service')) yield { resource: service, message };
};

export default {
  apiVersion: 1,
  name: 'clashing-ids',
  checks: [
    { meta: meta('ingress-gateway-exposed'), run: everything('must never be reported: the id is built in') },
    { meta: meta('acme-notebook-load-balancer'), run: everything('must never be reported: the id is the gpu plugin\'s') },
    { meta: meta('clash-by-alias', { aliases: ['mutable-ml-image'] }), run: everything('must never be reported: the alias is built in') },
  ],
};
