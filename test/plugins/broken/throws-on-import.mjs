const config = undefined;
export const limit = config.limit; // TypeError while the module is imported
export default { apiVersion: 1, name: 'throws-on-import', checks: [] };
