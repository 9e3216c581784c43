export default {
  apiVersion: 1,
  name: 'syntax-error'
  checks: [],
};
