// Where a built-in check's page is: the README of its folder, shipped in the package and in the repository
// (`checks/<id>/README.md`), which `kfscan explain <id>` prints. Reports name that path rather than a web
// address: kfscan has no documentation site, and a report must not send readers to one that does not
// exist. Plugin checks keep the absolute http(s) URL their authors give.
export function docsUrlFor(checkId: string): string {
  return `checks/${checkId}/README.md`;
}
