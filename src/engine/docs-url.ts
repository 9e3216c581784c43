// Fixed on day one: users bookmark these and SARIF viewers link to them.
export const PROJECT_URL = 'https://github.com/kfscan/kfscan';

export function docsUrlFor(checkId: string): string {
  return `${PROJECT_URL}/blob/main/docs/checks/${checkId}.md`;
}
