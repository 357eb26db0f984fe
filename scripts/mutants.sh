#!/usr/bin/env bash
# Mutation testing with cargo-mutants (issue 20): which broken rule would no test notice?
# Not in CI: a quarter of the crate's mutants takes hours on two cores.
#
#   scripts/mutants.sh --shard 1/4                  # the sample the issue measures
#   scripts/mutants.sh --shard 1/4 -j 2             # two mutants at once: a build beside a test run
#   scripts/mutants.sh --file src/report/mod.rs     # one file
#   scripts/mutants.sh --file src/cmd/kpi.rs --re share
#   scripts/mutants.sh --list --file src/policy/resolve.rs
#   scripts/mutants.sh --iterate --file src/report/mod.rs   # only what was missed last time
#   git diff main -- src > /tmp/change.diff
#   scripts/mutants.sh --in-diff /tmp/change.diff          # the mutants a change adds
#
# Every argument goes to cargo-mutants as given (`--` and what follows goes to the test
# run: `-- --test privacy` runs one test file, which is quicker but catches less than the
# whole suite; say so when you quote a figure measured that way).
# The defaults, each overridable by giving the option yourself:
#   -j 1            one mutant at a time (two cores: each build already uses both;
#                   --in-place is one at a time already);
#   --timeout 300   a mutant whose tests run past 5 minutes counts as a timeout (the whole
#                   suite takes about half a minute in the mutation profile);
#                   --build-timeout 900 likewise;
#   --copy-target false  each copy builds from cold once (about two minutes): a copied
#                   target/ was rebuilt anyway here (the first build in each copy compiled
#                   all 59 dependencies again after 2.6 GB were copied), so the copy only
#                   cost time;
#   --output DIR    results in target/mutants/ (mutants.out/ inside it), out of git's way;
#   --profile mutation  the Cargo.toml profile built for this: dependencies optimized once,
#                   no debug info, so a mutant costs a few seconds of build and a suite run
#                   of about half a minute (the dev profile: about a minute);
#   --sharding round-robin with --shard: mutant i goes to shard i % n, a sample spread over
#                   the whole crate. cargo-mutants up to 25.3.1 sharded so (the issue's
#                   sample); later versions default to consecutive slices, whose quarter
#                   covers a few files only.
#   --test-tool nextest when cargo-nextest is installed (it runs the test binaries in
#                   parallel; cargo test runs them one after another).
# The exclusions of equivalent mutants are in .cargo/mutants.toml, each with its reason.
# Results: target/mutants/mutants.out/{caught,missed,timeout,unviable}.txt and outcomes.json.
set -euo pipefail
cd "$(dirname "$0")/.."

if ! command -v cargo-mutants >/dev/null 2>&1; then
  echo "mutants.sh: cargo-mutants is not installed: cargo install cargo-mutants --locked" >&2
  exit 2
fi

given() {
  local want=$1
  shift
  for a in "$@"; do
    [ "$a" = "--" ] && return 1
    case "$a" in "$want" | "$want"=*) return 0 ;; esac
  done
  return 1
}

defaults=()
given -j "$@" || given --jobs "$@" || given --in-place "$@" || defaults+=(-j 1)
given --timeout "$@" || defaults+=(--timeout 300)
given --build-timeout "$@" || defaults+=(--build-timeout 900)
given --copy-target "$@" || given --in-place "$@" || defaults+=(--copy-target false)
given --output "$@" || given -o "$@" || defaults+=(--output target/mutants)
given --profile "$@" || defaults+=(--profile mutation)
if given --shard "$@" && ! given --sharding "$@"; then
  defaults+=(--sharding round-robin)
fi
if ! given --test-tool "$@" && cargo nextest --version >/dev/null 2>&1; then
  defaults+=(--test-tool nextest)
fi

# Options must come before a `--` (which starts the test run's arguments).
before=()
after=()
seen=0
for a in "$@"; do
  if [ $seen = 0 ] && [ "$a" = "--" ]; then
    seen=1
    continue
  fi
  if [ $seen = 0 ]; then before+=("$a"); else after+=("$a"); fi
done

mkdir -p target/mutants
echo "+ cargo mutants ${defaults[*]} ${before[*]}${after:+ -- ${after[*]}}" >&2
if [ ${#after[@]} -gt 0 ]; then
  exec cargo mutants "${defaults[@]}" "${before[@]}" -- "${after[@]}"
else
  exec cargo mutants "${defaults[@]}" "${before[@]}"
fi
