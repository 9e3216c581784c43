// One plain-node process that runs many kfscan invocations back to back: the CLI's main() with the built-in
// checks, as entry/kfscan.ts runs it, but without a process start-up per run. Plugins load through Node's
// own module loader here (inside vitest they would go through Vite's, whose errors and file types differ).
// test/helpers/cli-session-client.ts compiles this file with esbuild and talks to it: one JSON request per
// line on stdin ({ args, cwd, env, input }), one JSON answer per line on fd 3 ({ code, stdout, stderr }), so
// that whatever a plugin prints on the process's own streams cannot garble an answer.
import { createWriteStream } from 'node:fs';
import readline from 'node:readline';
import { Readable, Writable } from 'node:stream';
import { builtinChecks } from '../../checks/index.js';
import { main } from '../../src/cli/main.js';

interface Request {
  args: string[];
  cwd: string;
  env: Record<string, string>;
  input?: string;
}

function collector(): { stream: Writable; text: () => string } {
  const chunks: Buffer[] = [];
  const stream = new Writable({
    write(chunk: Buffer | string, _encoding, callback) {
      chunks.push(Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk));
      callback();
    },
  });
  return { stream, text: () => Buffer.concat(chunks).toString('utf8') };
}

const answers = createWriteStream('', { fd: 3 });
for await (const line of readline.createInterface({ input: process.stdin, crlfDelay: Infinity })) {
  const request = JSON.parse(line) as Request;
  const stdout = collector();
  const stderr = collector();
  const stdin = Readable.from(request.input === undefined ? [] : [Buffer.from(request.input)]);
  let code: number;
  try {
    code = await main(request.args, { checks: builtinChecks, io: { stdout: stdout.stream, stderr: stderr.stream, stdin, cwd: request.cwd, env: request.env } });
  } catch (error) {
    // What the real process would print as an uncaught exception: the test sees it instead of a hang.
    stderr.stream.write(`uncaught: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    code = -1;
  }
  answers.write(`${JSON.stringify({ code, stdout: stdout.text(), stderr: stderr.text() })}\n`);
}
