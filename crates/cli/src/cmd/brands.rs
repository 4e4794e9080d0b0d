//! `tertulia brands`: declare the workspace's own brand and its competitors, each as a query;
//! stored in `<data>/tertulia.toml`. Adding, changing or removing a brand re-tags the stored
//! posts.

use crate::Env;
use anyhow::{Context, Result};
use tertulia_analytics::{Brand, BrandSet, retag};

/// Arguments of `tertulia brands`.
#[derive(Debug, clap::Args)]
pub struct Args {
    #[command(subcommand)]
    action: Action,
}

#[derive(Debug, clap::Subcommand)]
enum Action {
    /// Declare a brand (or change its query) and re-tag the stored posts.
    Add {
        /// The brand's name, as shown in reports.
        name: String,
        /// The query whose matches are the brand's posts, e.g. `vuelaya OR @vuelaya`.
        #[arg(long)]
        query: String,
        /// The workspace's own brand (otherwise a competitor).
        #[arg(long)]
        own: bool,
        /// The brand's own accounts (handles), for cascades; default: the @mentions in the query.
        #[arg(long, value_delimiter = ',')]
        handles: Vec<String>,
        /// Print the result as JSON.
        #[arg(long)]
        json: bool,
    },
    /// Remove a brand and its tags.
    Remove {
        /// The brand's name.
        name: String,
        /// Print the result as JSON.
        #[arg(long)]
        json: bool,
    },
    /// List the declared brands.
    List {
        /// Print the list as JSON.
        #[arg(long)]
        json: bool,
    },
}

/// Runs `tertulia brands`.
pub fn run(env: &Env, args: Args) -> Result<i32> {
    let mut set = BrandSet::load(&env.data)
        .with_context(|| format!("cannot read brands of {}", env.data.display()))?;
    match args.action {
        Action::List { json } => {
            if json {
                println!("{}", serde_json::to_string(set.brands())?);
            } else if set.is_empty() {
                println!("no brands yet: tertulia brands add NAME --query Q [--own]");
            } else {
                for b in set.brands() {
                    let role = if b.own { "own" } else { "competitor" };
                    println!("{:<20} {:<10} {}", b.name, role, b.query);
                }
            }
            Ok(0)
        }
        Action::Add {
            name,
            query,
            own,
            handles,
            json,
        } => {
            let mut brand = Brand::new(name.clone(), query, own);
            brand.handles = handles;
            let replaced = set.add(brand)?;
            std::fs::create_dir_all(&env.data)?;
            set.save(&env.data)?;
            let store = env.open_store()?;
            let retagged = retag(store.as_ref(), &set)?;
            report(
                json,
                &name,
                if replaced { "updated" } else { "added" },
                retagged,
            )
        }
        Action::Remove { name, json } => {
            if set.remove(&name).is_none() {
                anyhow::bail!("no brand named {name:?}; see tertulia brands list");
            }
            set.save(&env.data)?;
            let store = env.open_store()?;
            let retagged = retag(store.as_ref(), &set)?;
            report(json, &name, "removed", retagged)
        }
    }
}

fn report(json: bool, name: &str, what: &str, retagged: u64) -> Result<i32> {
    if json {
        println!(
            "{}",
            serde_json::json!({"brand": name, "action": what, "retagged": retagged})
        );
    } else {
        println!("brand {name:?} {what}; {retagged} stored posts re-tagged");
    }
    Ok(0)
}
