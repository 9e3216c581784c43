// Users bookmark these and SARIF viewers link to them: the page of a built-in check is the README of its
// folder, checks/<id>/README.md (before the first release they were docs/checks/<id>.md).
export const PROJECT_URL = 'https://github.com/kfscan/kfscan';

export function docsUrlFor(checkId: string): string {
  return `${PROJECT_URL}/blob/main/checks/${checkId}/README.md`;
}
