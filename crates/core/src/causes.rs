//! The cause catalogue: what each cause means and what to do about it.
