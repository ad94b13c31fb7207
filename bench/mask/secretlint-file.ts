// secretlint's recommended preset over one file, as a whole process: bench/mask/run.ts times it
// as it times `portcullis mask` (startup subtracted), so that the two are compared like for like.
//   node --import tsx bench/mask/secretlint-file.ts FILE     prints the number of findings
import { readFileSync } from 'node:fs';
import { secretlint } from './secretlint.js';

const result = await secretlint(readFileSync(process.argv[2]!, 'utf8'));
process.stdout.write(`${result.messages.length}\n`);
