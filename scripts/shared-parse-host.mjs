// TypeScript programs built one after another in a process (the plugin API report, the package test's
// plugin-author programs) read the same library and declaration files: a compiler host that parses each
// file once for all of them saves most of a program's set-up. Only parsing is shared; each program still
// type-checks everything it holds.
import ts from 'typescript';

/**
 * A compiler host for `options` that takes parsed files from `parsed` and adds those it reads.
 * @param {ts.CompilerOptions} options
 * @param {Map<string, ts.SourceFile | undefined>} parsed
 * @returns {ts.CompilerHost}
 */
export function sharedParseHost(options, parsed) {
  const host = ts.createCompilerHost(options);
  const parse = host.getSourceFile.bind(host);
  host.getSourceFile = (fileName, languageVersion, ...rest) => {
    const key = `${fileName}\0${JSON.stringify(languageVersion)}`;
    if (!parsed.has(key)) parsed.set(key, parse(fileName, languageVersion, ...rest));
    return parsed.get(key);
  };
  return host;
}
