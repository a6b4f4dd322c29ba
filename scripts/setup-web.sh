#!/usr/bin/env bash
# Installs what building and testing the web app needs, skipping whatever is
# already there (fast on a warm machine): the wasm targets, trunk 0.21,
# wasm-bindgen-cli at Cargo.lock's wasm-bindgen version, Chromium and its
# driver (apt), and the browser tests' npm packages (tests/package-lock.json).
set -euo pipefail
cd "$(dirname "$0")/.."

say() { printf 'setup-web: %s\n' "$*"; }

# Rust targets: the app (wasm32-unknown-unknown) and the core's no_std check (wasm32v1-none).
installed_targets=$(rustup target list --installed)
for target in wasm32-unknown-unknown wasm32v1-none; do
  if ! grep -qx "$target" <<<"$installed_targets"; then
    say "adding Rust target $target"
    rustup target add "$target"
  fi
done

# trunk 0.21 (0.22 needs a newer rustc than the project's).
if ! trunk --version 2>/dev/null | grep -q '^trunk 0\.21\.'; then
  say "installing trunk 0.21"
  cargo install trunk --version '~0.21' --locked
fi

# wasm-bindgen-cli must equal the wasm-bindgen in Cargo.lock exactly. Not
# --locked: its own lockfile pins a crate the registry no longer has.
bindgen_version=$(awk '/^name = "wasm-bindgen"$/ { getline; gsub(/version = |"/, ""); print; exit }' Cargo.lock)
if [ -z "$bindgen_version" ]; then
  say "Cargo.lock has no wasm-bindgen entry"; exit 1
fi
if [ "$(wasm-bindgen --version 2>/dev/null)" != "wasm-bindgen $bindgen_version" ]; then
  say "installing wasm-bindgen-cli $bindgen_version"
  cargo install wasm-bindgen-cli --version "=$bindgen_version"
fi

# Chromium for the browser tests (driven by playwright-core, not downloaded by it).
if ! command -v chromium >/dev/null || ! command -v chromedriver >/dev/null; then
  say "installing chromium and chromium-driver"
  sudo=""
  if [ "$(id -u)" -ne 0 ]; then sudo="sudo"; fi
  $sudo apt-get update
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y chromium chromium-driver
fi

# npm packages of the browser tests, again only when the lockfile changed.
if ! command -v node >/dev/null || ! command -v npm >/dev/null; then
  say "node and npm are needed for the browser tests (node 20 or later)"; exit 1
fi
if [ ! -f tests/node_modules/.package-lock.json ] \
  || [ tests/package-lock.json -nt tests/node_modules/.package-lock.json ]; then
  say "installing the browser tests' npm packages"
  (cd tests && npm ci --no-audit --no-fund)
fi

say "ready"
