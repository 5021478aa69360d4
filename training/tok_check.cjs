// Encodes/decodes texts with @huggingface/tokenizers (the library the
// extension uses) so the Python side can compare ids.
// Usage: node training/tok_check.cjs MODEL_DIR texts.json out.json
'use strict';
const fs = require('fs');
const path = require('path');
const { Tokenizer } = require('@huggingface/tokenizers');

const [dir, inFile, outFile] = process.argv.slice(2);
const tj = JSON.parse(fs.readFileSync(path.join(dir, 'tokenizer.json'), 'utf8'));
const tc = JSON.parse(fs.readFileSync(path.join(dir, 'tokenizer_config.json'), 'utf8'));
const tok = new Tokenizer(tj, tc);
const texts = JSON.parse(fs.readFileSync(inFile, 'utf8'));
const out = texts.map((t) => {
  const ids = tok.encode(t).ids;
  return { ids, decoded: ids.length ? tok.decode(ids) : '' };
});
fs.writeFileSync(outFile, JSON.stringify(out));
