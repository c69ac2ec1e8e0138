// Removes the members marked `@internal` (the engine's hooks for the trigger
// runner, the queue's delivery methods) from the bundled declarations, so the
// published types show only the public API. A member-level pass, not
// TypeScript's `stripInternal`, which would also drop internal types that other
// declarations still import.
import { readFileSync, writeFileSync } from 'node:fs';
import ts from 'typescript';

for (const file of process.argv.slice(2)) {
  const text = readFileSync(file, 'utf8');
  const source = ts.createSourceFile(file, text, ts.ScriptTarget.Latest, true);
  const cuts = [];
  const visit = (node) => {
    if (ts.isClassDeclaration(node) || ts.isInterfaceDeclaration(node)) {
      for (const member of node.members) {
        if (ts.getJSDocTags(member).some((tag) => tag.tagName.text === 'internal')) cuts.push([member.getFullStart(), member.getEnd()]);
      }
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  let out = text;
  for (const [start, end] of cuts.sort((a, b) => b[0] - a[0])) out = out.slice(0, start) + out.slice(end);
  writeFileSync(file, out);
  console.log(`${file}: ${cuts.length} internal members removed`);
}
