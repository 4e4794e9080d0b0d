//! One module per subcommand; each has `Args` (clap) and `run(&Env, Args) -> Result<i32>`
//! returning the process exit code.

pub mod analyze;
pub mod brands;
pub mod export;
pub mod import;
pub mod nlp;
pub mod search;
pub mod stats;
