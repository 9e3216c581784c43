// The offline floor: read the same files and parse them with yaml.parseAllDocuments and toJS(), nothing
// else. kfscan's whole scan is measured against this.
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { parseAllDocuments } from 'yaml';

const dir = process.argv[2];
let documents = 0;
for (const name of readdirSync(dir).sort()) {
  for (const doc of parseAllDocuments(readFileSync(path.join(dir, name), 'utf8'))) {
    doc.toJS();
    documents++;
  }
}
if (documents === 0) process.exit(1);
