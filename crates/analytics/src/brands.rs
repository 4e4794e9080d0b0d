//! Brands and competitors as saved queries, kept in the workspace config `<data>/tertulia.toml`.

use crate::error::{AnalyticsError, Result};
use serde::{Deserialize, Serialize};
use std::path::{Path, PathBuf};
use tertulia_model::Post;
use tertulia_query::{Document, Query};
use tertulia_store::{Annotation, Store};

/// Name of the workspace configuration file inside the data directory.
pub const CONFIG_FILE: &str = "tertulia.toml";

/// Longest brand name accepted, in characters.
const MAX_NAME_CHARS: usize = 100;

/// Annotations sent to the store per call while re-tagging.
const RETAG_BATCH: usize = 2_000;

/// One brand: the workspace's own or a competitor, defined by a query.
///
/// ```toml
/// [[brands]]
/// name = "Iberia"
/// query = "iberia OR @Iberia OR #iberia"
/// own = true
/// handles = ["Iberia"]
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Brand {
    /// The brand's name as shown in every report and stored in posts' brand tags
    /// (1–100 characters, unique in the workspace, compared case-insensitively).
    pub name: String,
    /// The query (Tertulia/Brandwatch syntax, see `docs/query.md`) whose matches are the
    /// brand's posts, e.g. `iberia OR @Iberia`.
    pub query: String,
    /// `true` for the workspace's own brand(s), `false` (the default) for competitors.
    #[serde(default)]
    pub own: bool,
    /// The brand's own accounts (handles without `@`), used by `cascades` to count hops from
    /// the brand. When empty, the `@mentions` written in the query are used.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub handles: Vec<String>,
}

impl Brand {
    /// A brand with no explicit handles.
    pub fn new(name: impl Into<String>, query: impl Into<String>, own: bool) -> Self {
        Brand {
            name: name.into(),
            query: query.into(),
            own,
            handles: Vec::new(),
        }
    }

    /// The brand's own accounts, lowercased without `@`: [`Brand::handles`], else the
    /// `@mentions` written in the query.
    pub fn accounts(&self) -> Vec<String> {
        let mut out: Vec<String> = if self.handles.is_empty() {
            self.query
                .split(|c: char| c.is_whitespace() || matches!(c, '(' | ')' | '"'))
                .filter_map(|w| w.strip_prefix('@'))
                .map(|h| {
                    h.trim_end_matches(|c: char| !c.is_alphanumeric() && c != '_')
                        .to_lowercase()
                })
                .filter(|h| !h.is_empty() && !h.contains(['*', '?']))
                .collect()
        } else {
            self.handles
                .iter()
                .map(|h| h.trim().trim_start_matches('@').to_lowercase())
                .filter(|h| !h.is_empty())
                .collect()
        };
        out.sort();
        out.dedup();
        out
    }
}

/// The workspace configuration file `<data>/tertulia.toml` (the part this crate owns).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct WorkspaceConfig {
    /// The declared brands, own and competitors, as `[[brands]]` tables.
    #[serde(default)]
    pub brands: Vec<Brand>,
}

/// The declared brands with their queries compiled once, ready to tag posts.
#[derive(Debug, Clone, Default)]
pub struct BrandSet {
    brands: Vec<Brand>,
    queries: Vec<Query>,
}

impl PartialEq for BrandSet {
    fn eq(&self, other: &Self) -> bool {
        self.brands == other.brands
    }
}

fn compile(b: &Brand) -> Result<Query> {
    Query::compile(&b.query).map_err(|source| AnalyticsError::Query {
        brand: b.name.clone(),
        query: b.query.clone(),
        source: Box::new(source),
    })
}

fn check_name(name: &str) -> Result<()> {
    let bad = |reason: &str| AnalyticsError::InvalidBrand {
        brand: name.chars().take(MAX_NAME_CHARS).collect(),
        reason: reason.into(),
    };
    if name.trim().is_empty() {
        return Err(bad("the name is empty"));
    }
    if name.trim() != name {
        return Err(bad("the name starts or ends with spaces"));
    }
    if name.chars().count() > MAX_NAME_CHARS {
        return Err(bad("the name is longer than 100 characters"));
    }
    if name.chars().any(char::is_control) {
        return Err(bad("the name holds control characters"));
    }
    Ok(())
}

impl BrandSet {
    /// Checks names (non-empty, ≤ 100 characters, unique case-insensitively) and compiles every
    /// query; the first bad brand is the error.
    pub fn new(brands: Vec<Brand>) -> Result<Self> {
        let mut set = BrandSet::default();
        for b in brands {
            if set.get(&b.name).is_some() {
                return Err(AnalyticsError::InvalidBrand {
                    brand: b.name,
                    reason: "declared twice".into(),
                });
            }
            set.push(b)?;
        }
        Ok(set)
    }

    fn push(&mut self, b: Brand) -> Result<()> {
        check_name(&b.name)?;
        let q = compile(&b)?;
        self.brands.push(b);
        self.queries.push(q);
        Ok(())
    }

    /// The path of the configuration file in a data directory.
    pub fn config_path(data_dir: &Path) -> PathBuf {
        data_dir.join(CONFIG_FILE)
    }

    /// Parses a configuration text (`[[brands]]` tables).
    pub fn from_toml_str(text: &str) -> Result<Self> {
        Self::parse(text, Path::new("<string>"))
    }

    fn parse(text: &str, path: &Path) -> Result<Self> {
        let cfg: WorkspaceConfig =
            toml::from_str(text).map_err(|e| AnalyticsError::ParseConfig {
                path: path.to_path_buf(),
                message: e.to_string().trim().to_string(),
            })?;
        BrandSet::new(cfg.brands)
    }

    /// Loads `<data_dir>/tertulia.toml`; a missing file is an empty set.
    pub fn load(data_dir: &Path) -> Result<Self> {
        let path = Self::config_path(data_dir);
        match std::fs::read_to_string(&path) {
            Ok(text) => Self::parse(&text, &path),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(BrandSet::default()),
            Err(source) => Err(AnalyticsError::ReadConfig { path, source }),
        }
    }

    /// The configuration text of this set.
    pub fn to_toml_string(&self) -> Result<String> {
        let cfg = WorkspaceConfig {
            brands: self.brands.clone(),
        };
        toml::to_string(&cfg).map_err(|e| AnalyticsError::WriteConfig {
            path: PathBuf::from("<string>"),
            message: e.to_string(),
        })
    }

    /// Writes `<data_dir>/tertulia.toml` atomically (a temporary file renamed over it),
    /// creating the directory if needed.
    pub fn save(&self, data_dir: &Path) -> Result<()> {
        let path = Self::config_path(data_dir);
        let err = |message: String| AnalyticsError::WriteConfig {
            path: path.clone(),
            message,
        };
        let text = self.to_toml_string()?;
        std::fs::create_dir_all(data_dir).map_err(|e| err(e.to_string()))?;
        let tmp = data_dir.join(format!(".{CONFIG_FILE}.tmp"));
        std::fs::write(&tmp, text).map_err(|e| err(e.to_string()))?;
        std::fs::rename(&tmp, &path).map_err(|e| err(e.to_string()))
    }

    /// Adds a brand, or replaces the one with the same name (case-insensitive). Returns `true`
    /// when it replaced one. The set is unchanged when the brand is invalid.
    pub fn add(&mut self, brand: Brand) -> Result<bool> {
        check_name(&brand.name)?;
        let q = compile(&brand)?;
        match self.position(&brand.name) {
            Some(i) => {
                self.brands[i] = brand;
                self.queries[i] = q;
                Ok(true)
            }
            None => {
                self.brands.push(brand);
                self.queries.push(q);
                Ok(false)
            }
        }
    }

    /// Removes a brand by name (case-insensitive); returns it if it was there.
    pub fn remove(&mut self, name: &str) -> Option<Brand> {
        let i = self.position(name)?;
        self.queries.remove(i);
        Some(self.brands.remove(i))
    }

    fn position(&self, name: &str) -> Option<usize> {
        let lower = name.to_lowercase();
        self.brands
            .iter()
            .position(|b| b.name == name || b.name.to_lowercase() == lower)
    }

    /// The brand with this name (case-insensitive).
    pub fn get(&self, name: &str) -> Option<&Brand> {
        self.position(name).map(|i| &self.brands[i])
    }

    /// Every brand, in declaration order.
    pub fn brands(&self) -> &[Brand] {
        &self.brands
    }

    /// Every brand name, in declaration order.
    pub fn names(&self) -> Vec<String> {
        self.brands.iter().map(|b| b.name.clone()).collect()
    }

    /// Number of brands.
    pub fn len(&self) -> usize {
        self.brands.len()
    }

    /// Whether no brand is declared.
    pub fn is_empty(&self) -> bool {
        self.brands.is_empty()
    }

    /// Whether the brand with this name is declared as the workspace's own.
    pub fn is_own(&self, name: &str) -> bool {
        self.get(name).is_some_and(|b| b.own)
    }

    /// Names of the brands a post matches, in declaration order. Tokenises the post once.
    pub fn tag(&self, post: &Post) -> Vec<String> {
        if self.brands.is_empty() {
            return Vec::new();
        }
        self.tag_document(&Document::new(post))
    }

    /// Names of the brands an already tokenised post matches, in declaration order.
    pub fn tag_document(&self, doc: &Document<'_>) -> Vec<String> {
        self.brands
            .iter()
            .zip(&self.queries)
            .filter(|(_, q)| q.matches_document(doc))
            .map(|(b, _)| b.name.clone())
            .collect()
    }
}

/// Re-tags every stored post with `brands` (after a brand was added, changed or removed):
/// posts whose tags change get an [`Annotation`] through [`Store::annotate`], in batches.
/// Returns how many posts changed.
pub fn retag(store: &dyn Store, brands: &BrandSet) -> Result<u64> {
    let mut batch: Vec<Annotation> = Vec::new();
    let mut changed = 0u64;
    store.for_each_post(&mut |post| {
        let tags = brands.tag(&post);
        if tags != post.brands {
            batch.push(Annotation::brands(post.key(), tags));
            if batch.len() >= RETAG_BATCH {
                changed += store.annotate(&batch)?;
                batch.clear();
            }
        }
        Ok(())
    })?;
    if !batch.is_empty() {
        changed += store.annotate(&batch)?;
    }
    Ok(changed)
}

#[cfg(test)]
mod tests {
    use super::*;
    use tertulia_model::{Network, PostKind};

    fn post(text: &str) -> Post {
        let mut p = Post::new(Network::X, "1", PostKind::Post);
        p.text = text.into();
        p
    }

    #[test]
    fn tags_in_declaration_order() {
        let set = BrandSet::new(vec![
            Brand::new("Iberia", "iberia OR @Iberia", true),
            Brand::new("Vueling", "vueling", false),
        ])
        .unwrap();
        assert_eq!(
            set.tag(&post("@Vueling mejor que IBERIA")),
            vec!["Iberia", "Vueling"]
        );
        assert!(set.tag(&post("nada")).is_empty());
        assert!(set.is_own("iberia"));
        assert!(!set.is_own("Vueling"));
    }

    #[test]
    fn names_are_checked_and_unique() {
        assert!(BrandSet::new(vec![Brand::new("", "a", false)]).is_err());
        assert!(BrandSet::new(vec![Brand::new(" a", "a", false)]).is_err());
        let e = BrandSet::new(vec![
            Brand::new("A", "a", false),
            Brand::new("a", "b", false),
        ])
        .unwrap_err()
        .to_string();
        assert_eq!(e, "invalid brand \"a\": declared twice");
        let e = BrandSet::new(vec![Brand::new("X", "(a OR", false)])
            .unwrap_err()
            .to_string();
        assert!(
            e.starts_with("brand \"X\" has an invalid query \"(a OR\": at "),
            "{e}"
        );
    }

    #[test]
    fn add_replaces_by_name_and_remove() {
        let mut set = BrandSet::default();
        assert!(!set.add(Brand::new("Iberia", "iberia", true)).unwrap());
        assert!(set.add(Brand::new("iberia", "@Iberia", true)).unwrap());
        assert_eq!(set.len(), 1);
        assert!(set.add(Brand::new("Bad", "(", false)).is_err());
        assert_eq!(set.len(), 1);
        assert!(set.remove("IBERIA").is_some());
        assert!(set.is_empty());
    }

    #[test]
    fn accounts_come_from_handles_or_query_mentions() {
        let b = Brand::new("Iberia", "(iberia OR @Iberia OR @iberia_en) -@x*", true);
        assert_eq!(b.accounts(), vec!["iberia", "iberia_en"]);
        let mut b = b;
        b.handles = vec!["@IberiaHelp".into()];
        assert_eq!(b.accounts(), vec!["iberiahelp"]);
    }

    #[test]
    fn config_round_trips_and_rejects_unknown_fields() {
        let text = "[[brands]]\nname = \"Iberia\"\nquery = \"iberia\"\nown = true\n\n\
                    [[brands]]\nname = \"Vueling\"\nquery = \"vueling\"\n";
        let set = BrandSet::from_toml_str(text).unwrap();
        assert_eq!(set.len(), 2);
        assert!(!set.brands()[1].own);
        let back = BrandSet::from_toml_str(&set.to_toml_string().unwrap()).unwrap();
        assert_eq!(back, set);
        let e = BrandSet::from_toml_str("[[brands]]\nname = \"a\"\nquery = \"a\"\ncolour = 1\n")
            .unwrap_err()
            .to_string();
        assert!(e.contains("unknown field `colour`"), "{e}");
        assert!(BrandSet::from_toml_str("").unwrap().is_empty());
    }

    #[test]
    fn load_and_save_in_a_data_directory() {
        let dir = tempfile::tempdir().unwrap();
        let data = dir.path().join("data");
        assert!(BrandSet::load(&data).unwrap().is_empty());
        let set = BrandSet::new(vec![Brand::new("Iberia", "iberia", true)]).unwrap();
        set.save(&data).unwrap();
        assert_eq!(BrandSet::load(&data).unwrap(), set);
        std::fs::write(BrandSet::config_path(&data), "brands = 3").unwrap();
        let e = BrandSet::load(&data).unwrap_err().to_string();
        assert!(e.starts_with("cannot parse config "), "{e}");
    }
}
