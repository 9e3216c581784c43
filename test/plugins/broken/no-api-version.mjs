export default { name: 'no-api-version', checks: [] };
