// Checks the committed JSON Schemas with ajv in strict mode, and the manifest
// schema against fixtures: every `*.valid.json` must pass, every `invalid.*` fail.
// Run by .ci/run: `node tests/schema/check.js` with ajv installed beside it.
const Ajv = require("ajv");
const addFormats = require("ajv-formats");
const fs = require("fs");
const path = require("path");

const root = path.join(__dirname, "..", "..");
let failures = 0;
function compile(file) {
  const ajv = new Ajv({ strict: true, allErrors: true });
  addFormats(ajv);
  try {
    return ajv.compile(JSON.parse(fs.readFileSync(path.join(root, "schemas", file), "utf8")));
  } catch (e) {
    console.log(`${file}: rejected in strict mode: ${e.message}`);
    failures++;
    return null;
  }
}
compile("plan.schema.json") && console.log("plan.schema.json: compiles in strict mode");
const manifest = compile("manifest.schema.json");
if (manifest) {
  console.log("manifest.schema.json: compiles in strict mode");
  for (const f of fs.readdirSync(__dirname).filter((f) => f.endsWith(".json")).sort()) {
    const ok = manifest(JSON.parse(fs.readFileSync(path.join(__dirname, f), "utf8")));
    const want = !f.startsWith("invalid.");
    console.log(`${f}: ${ok ? "valid" : "invalid"}${ok === want ? "" : "  <-- WRONG"}`);
    if (ok !== want) failures++;
  }
}
process.exit(failures ? 1 : 0);
