#!/usr/bin/env bash
# Installs the real site generators the agreement tests build test/sites/* with:
# Hugo and Jekyll from Debian's apt, Astro, Eleventy and Hexo from npm (pinned) into a
# cache folder outside the repository's node_modules (INKWELL_SITE_GENERATORS, default
# ~/.cache/inkwell-site-generators), and Docusaurus (pinned, with React) into its own
# folder under it (docusaurus/), as its 1,300 packages share little with the others.
# Safe to run again: it installs only what is missing.
set -euo pipefail
dir="${INKWELL_SITE_GENERATORS:-$HOME/.cache/inkwell-site-generators}"
start=$(date +%s)

need=()
command -v hugo >/dev/null 2>&1 || need+=(hugo)
command -v jekyll >/dev/null 2>&1 || need+=(jekyll)
if [ ${#need[@]} -gt 0 ]; then
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -q
  apt-get install -y -q --no-install-recommends "${need[@]}"
fi
echo "apt generators ready in $(( $(date +%s) - start ))s"

# Pinned: Astro 5 is the last major that runs on Node 20; Hexo 8 needs Node >= 20.19.
packages=(astro@5.18.2 @11ty/eleventy@3.1.8 hexo@8.1.2 hexo-renderer-marked@7.0.1)
stamp="$dir/.installed"
want="${packages[*]}"
if [ "$(cat "$stamp" 2>/dev/null)" != "$want" ]; then
  mkdir -p "$dir"
  [ -f "$dir/package.json" ] || echo '{ "name": "inkwell-site-generators", "private": true }' > "$dir/package.json"
  npm install --prefix "$dir" --no-audit --no-fund --no-save --loglevel=error "${packages[@]}"
  echo "$want" > "$stamp"
fi
# About 50 s and 270 MB.
docusaurus=(@docusaurus/core@3.10.2 @docusaurus/preset-classic@3.10.2 react@19.2.0 react-dom@19.2.0)
stamp="$dir/docusaurus/.installed"
want="${docusaurus[*]}"
if [ "$(cat "$stamp" 2>/dev/null)" != "$want" ]; then
  mkdir -p "$dir/docusaurus"
  [ -f "$dir/docusaurus/package.json" ] || echo '{ "name": "inkwell-site-generators-docusaurus", "private": true }' > "$dir/docusaurus/package.json"
  npm install --prefix "$dir/docusaurus" --no-audit --no-fund --no-save --loglevel=error "${docusaurus[@]}"
  echo "$want" > "$stamp"
fi
echo "site generators ready in $(( $(date +%s) - start ))s: $dir"
