/** `npm run docs`: writes docs/rules.md from the registry and fixtures in the source tree. */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { RULES } from '../rules/index.js';
import { renderRuleDocs } from './rule-docs.js';

const root = process.cwd();
writeFileSync(join(root, 'docs', 'rules.md'), renderRuleDocs(join(root, 'src', 'rules'), RULES));
process.stdout.write('wrote docs/rules.md\n');
