# Sourced by the scripts: one shared target dir outside the clone, so CI and
# repeated runs reuse the ~20 min dependency build.
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/hypermesh-target}"
export CARGO_TERM_COLOR="${CARGO_TERM_COLOR:-never}"
