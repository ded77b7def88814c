"""Pure numpy implementations: the fallback, and the oracle the parity tests compare Rust against."""
