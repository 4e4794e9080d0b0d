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
            let retagged = apply(env, store.as_ref(), &set)?;
            report(json, &name, "removed", retagged)
        }
    }
}

/// File in the data directory recording which brand set the stored tags reflect.
const APPLIED_FILE: &str = ".brands-applied";

/// A fingerprint of the brand set: its TOML form.
fn fingerprint(set: &BrandSet) -> Result<String> {
    Ok(set.to_toml_string()?)
}

/// Re-tags every stored post with `set` and records that the tags reflect it.
fn apply(env: &Env, store: &dyn tertulia_store::Store, set: &BrandSet) -> Result<u64> {
    let n = retag(store, set)?;
    std::fs::write(env.data.join(APPLIED_FILE), fingerprint(set)?)
        .with_context(|| format!("cannot write {}", env.data.join(APPLIED_FILE).display()))?;
    Ok(n)
}

/// Loads the workspace's brands and, when `tertulia.toml` was edited by hand since the stored
/// posts were last tagged, re-tags them first, so that every command sees tags that match the
/// configuration.
pub fn load_applied(env: &Env, store: &dyn tertulia_store::Store) -> Result<BrandSet> {
    let set = BrandSet::load(&env.data)
        .with_context(|| format!("cannot read brands of {}", env.data.display()))?;
    let applied = std::fs::read_to_string(env.data.join(APPLIED_FILE)).unwrap_or_default();
    let now = fingerprint(&set)?;
    if applied != now && !(set.is_empty() && applied.is_empty()) {
        let n = apply(env, store, &set)?;
        if n > 0 {
            eprintln!(
                "brands changed in {}: {n} stored posts re-tagged",
                tertulia_analytics::CONFIG_FILE
            );
        }
    }
    Ok(set)
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
