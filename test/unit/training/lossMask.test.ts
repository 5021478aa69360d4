import * as assert from 'assert';
import { execFileSync } from 'child_process';
import * as path from 'path';

const repo = path.join(__dirname, '..', '..', '..');

/**
 * Runs training/loss_mask.py's loss_weights with the shipped GPT's real tokenizer (training/bpe.py)
 * on each text, and returns what the weighted tokens decode to and how many tokens there were.
 */
function weighted(texts: string[], marker: string | null): Array<{ kept: string; tokens: number; weighted: number }> {
  const script = `
import json, sys
sys.path.insert(0, ${JSON.stringify(path.join(repo, 'training'))})
import bpe
from loss_mask import loss_weights, token_bytes
tok = bpe.Tokenizer.load(${JSON.stringify(path.join(repo, 'models', 'inkwell-gpt', 'tokenizer.json'))})
nbytes = token_bytes(tok)
req = json.load(sys.stdin)
out = []
for text in req["texts"]:
    ids = tok.encode(text)
    w = loss_weights(text, ids, nbytes, req["marker"])
    out.append({"kept": tok.decode([i for i, x in zip(ids, w) if x == 1.0]), "tokens": len(ids), "weighted": int(w.sum())})
print(json.dumps(out))
`;
  const stdout = execFileSync('/usr/bin/python3', ['-c', script], { input: JSON.stringify({ texts, marker }), encoding: 'utf8' });
  return JSON.parse(stdout) as Array<{ kept: string; tokens: number; weighted: number }>;
}

describe('training on the answer alone (finetune_gpt.py --loss-after)', function () {
  this.timeout(60000);
  const marker = '\n\nRewritten:\n\n';

  it('weights exactly the tokens after the marker, multi-byte characters included', () => {
    const answer = 'Café owners — naïve or not — rewrite “menus” every spring. 🌱 Then they rest.';
    const [r] = weighted([`Rewrite the paragraph below, keeping what is right.\n\nCafé owners rewrite menus.${marker}${answer}`], marker);
    assert.strictEqual(r.kept, answer);
    assert.ok(r.weighted < r.tokens);
  });

  it('weights nothing in a text without the marker, and everything without a marker at all', () => {
    const text = 'A post with no exercise in it, only prose.';
    assert.strictEqual(weighted([text], marker)[0].weighted, 0);
    const [all] = weighted([text], null);
    assert.strictEqual(all.weighted, all.tokens);
    assert.strictEqual(all.kept, text);
  });
});
