import * as assert from 'assert';
import { buildContinuationPrompt } from '../../../src/generation/prompt';

const post = `---
title: "Local models in the editor"
description: Running GPT-2 offline
tags: [ml, onnx]
date: 2026-01-02
image: /uploads/x.png
---

First paragraph.

Second one starts here and`;

describe('continuation prompt', () => {
  it('puts title, description and tags before the body up to the cursor', () => {
    const { prompt } = buildContinuationPrompt(post, post.length);
    assert.strictEqual(
      prompt,
      'Local models in the editor\nRunning GPT-2 offline\nTags: ml, onnx\n\nFirst paragraph.\n\nSecond one starts here and',
    );
  });

  it('stops at the cursor and leaves out other frontmatter keys', () => {
    const cursor = post.indexOf('Second');
    const { prompt } = buildContinuationPrompt(post, cursor);
    assert.ok(prompt.endsWith('First paragraph.\n\n'));
    assert.ok(!prompt.includes('uploads') && !prompt.includes('2026'));
  });

  it('works without frontmatter and inside it', () => {
    assert.strictEqual(buildContinuationPrompt('Just text', 4).prompt, 'Just');
    const inside = buildContinuationPrompt(post, post.indexOf('tags'));
    assert.strictEqual(inside.bodyChars, 0);
    assert.ok(inside.prompt.startsWith('Local models in the editor'));
  });
});
