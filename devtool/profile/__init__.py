"""`devtool profile`: sample a target, rank the functions worth moving to Rust."""
