export default { apiVersion: 2, name: 'from-the-future', checks: [{ meta: { id: 'future-check' }, run() { return []; } }] };
