// secretlint's recommended preset over one file, as a whole process: bench/mask/run.ts times it
// as it times `portcullis mask --stats`, startup subtracted, so that the two are compared like for
// like. Startup (loading the preset and linting an empty text, which builds its rules) is this
// process's CPU time until then, printed on stderr as the command prints its own.
//   node --import tsx bench/mask/secretlint-file.ts FILE     prints the number of findings
import { readFileSync } from 'node:fs';
import { secretlint } from './secretlint.js';
import { startupLine } from './startup.js';

await secretlint('');
process.stderr.write(startupLine());
const result = await secretlint(readFileSync(process.argv[2]!, 'utf8'));
process.stdout.write(`${result.messages.length}\n`);
