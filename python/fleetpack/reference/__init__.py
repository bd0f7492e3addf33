"""The pure-Python reference solver, file for file like the Rust core (rust/core/src): `rules` (what it reads of the
rules beyond `fleetpack.model.rules`), `heuristics`, `bounds`. Only `fleetpack.baseline` (and the tests) import it;
production code never does."""
