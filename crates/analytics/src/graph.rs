//! The conversation as a graph: influencers (reach, engagement, PageRank over the
//! reply/reshare/quote/mention graph of authors) and cascades (reply/reshare/quote trees, with
//! hops from the brand's own accounts).

use crate::error::Result;
use crate::scan::{Scope, snippet};
use crate::{Params, iso};
use serde::Serialize;
use std::collections::{BTreeMap, HashMap, VecDeque};
use tertulia_model::{Network, Post, PostKey, PostKind};
use tertulia_store::Store;

/// PageRank damping factor.
pub const DAMPING: f64 = 0.85;
const PR_MAX_ITER: usize = 100;
const PR_TOLERANCE: f64 = 1e-10;

/// PageRank of a weighted directed graph of `n` nodes (`edges`: from, to, weight): damping
/// [`DAMPING`], dangling nodes' rank spread uniformly, power iteration from the uniform vector
/// until the L1 change is below 1e-10 (at most 100 rounds). Ranks sum to 1.
pub fn pagerank(n: usize, edges: &[(usize, usize, f64)], damping: f64) -> Vec<f64> {
    if n == 0 {
        return Vec::new();
    }
    let mut out_w = vec![0f64; n];
    for (a, _, w) in edges {
        out_w[*a] += w;
    }
    let nf = n as f64;
    let mut pr = vec![1.0 / nf; n];
    for _ in 0..PR_MAX_ITER {
        let dangling: f64 = (0..n).filter(|i| out_w[*i] == 0.0).map(|i| pr[i]).sum();
        let base = (1.0 - damping) / nf + damping * dangling / nf;
        let mut next = vec![base; n];
        for (a, b, w) in edges {
            next[*b] += damping * pr[*a] * w / out_w[*a];
        }
        let delta: f64 = next.iter().zip(&pr).map(|(x, y)| (x - y).abs()).sum();
        pr = next;
        if delta < PR_TOLERANCE {
            break;
        }
    }
    pr
}

fn id_hash(network: Network, id: &str) -> u64 {
    let mut h = xxhash_rust::xxh3::Xxh3::new();
    h.update(network.as_str().as_bytes());
    h.update(b":");
    h.update(id.as_bytes());
    h.digest()
}

/// Authors interned as `network:handle` (lowercase, no `@`), else `network:id:ID`.
#[derive(Default)]
struct Authors {
    keys: Vec<String>,
    index: HashMap<String, u32>,
    followers: Vec<u64>,
}

impl Authors {
    fn intern(&mut self, key: String) -> u32 {
        if let Some(i) = self.index.get(&key) {
            return *i;
        }
        let i = self.keys.len() as u32;
        self.index.insert(key.clone(), i);
        self.keys.push(key);
        self.followers.push(0);
        i
    }

    fn of_post(&mut self, p: &Post) -> u32 {
        let a = &p.author;
        let key = match (&a.handle, &a.id) {
            (Some(h), _) if !h.trim_start_matches('@').is_empty() => format!(
                "{}:{}",
                p.network,
                snippet(&h.trim_start_matches('@').to_lowercase(), 256)
            ),
            (_, Some(id)) if !id.is_empty() => format!("{}:id:{}", p.network, snippet(id, 256)),
            _ => format!("{}:unknown", p.network),
        };
        let i = self.intern(key);
        let f = &mut self.followers[i as usize];
        *f = (*f).max(tertulia_store::reach(p));
        i
    }
}

/// A stored post, compactly.
struct Rec {
    network: Network,
    native_id: String,
    author: u32,
    created: Option<i64>,
    kind: PostKind,
    engagement: u64,
    /// The post it answers, reshares or quotes (reshare, then quote, then parent).
    target: Option<u64>,
    mentions: Vec<u32>,
    in_scope: bool,
}

struct Graph {
    authors: Authors,
    recs: Vec<Rec>,
    by_id: HashMap<u64, u32>,
}

fn load(store: &dyn Store, params: &Params) -> Result<Graph> {
    let scope = Scope::new(params);
    let mut g = Graph {
        authors: Authors::default(),
        recs: Vec::new(),
        by_id: HashMap::new(),
    };
    store.for_each_post(&mut |p| {
        if p.deleted {
            return Ok(());
        }
        let author = g.authors.of_post(&p);
        let target = p
            .reshare_of
            .as_deref()
            .or(p.quote_of.as_deref())
            .or(p.parent_id.as_deref())
            .filter(|t| !t.is_empty() && *t != p.native_id)
            .map(|t| id_hash(p.network, t));
        let mut mentions: Vec<u32> = p
            .mentions
            .iter()
            .take(50)
            .map(|m| m.trim_start_matches('@').to_lowercase())
            .filter(|m| !m.is_empty())
            .map(|m| {
                g.authors
                    .intern(format!("{}:{}", p.network, snippet(&m, 256)))
            })
            .filter(|m| *m != author)
            .collect();
        mentions.sort_unstable();
        mentions.dedup();
        g.by_id
            .insert(id_hash(p.network, &p.native_id), g.recs.len() as u32);
        let in_scope = scope.contains(&p);
        let engagement = tertulia_store::engagement(&p);
        g.recs.push(Rec {
            network: p.network,
            in_scope,
            author,
            created: p.created_at.map(|t| t.timestamp()),
            kind: p.kind,
            engagement,
            target,
            mentions,
            native_id: p.native_id,
        });
        Ok(())
    })?;
    Ok(g)
}

impl Graph {
    fn parent(&self, i: usize) -> Option<usize> {
        let t = self.recs[i].target?;
        let j = *self.by_id.get(&t)? as usize;
        (j != i).then_some(j)
    }

    /// Author → author interactions of the given posts: (from, to, count).
    fn edges(&self, only_scope: bool) -> BTreeMap<(u32, u32), u64> {
        let mut e: BTreeMap<(u32, u32), u64> = BTreeMap::new();
        for (i, r) in self.recs.iter().enumerate() {
            if only_scope && !r.in_scope {
                continue;
            }
            if let Some(j) = self.parent(i) {
                let to = self.recs[j].author;
                if to != r.author {
                    *e.entry((r.author, to)).or_insert(0) += 1;
                }
            }
            for m in &r.mentions {
                *e.entry((r.author, *m)).or_insert(0) += 1;
            }
        }
        e
    }
}

fn split_key(key: &str) -> (String, String) {
    match key.split_once(':') {
        Some((n, h)) => (n.to_string(), h.to_string()),
        None => (String::new(), key.to_string()),
    }
}

/// One author's influence.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct InfluencerRow {
    /// `network:handle` (or `network:id:ID`).
    pub author: String,
    /// Network name.
    pub network: String,
    /// Handle (or `id:ID`).
    pub handle: String,
    /// Posts in scope by the author.
    pub posts: u64,
    /// Followers (the most seen on any stored post).
    pub followers: u64,
    /// Likes + reshares + replies + quotes of the author's posts in scope.
    pub engagement: u64,
    /// Replies, reshares, quotes and mentions received from posts in scope.
    pub interactions_received: u64,
    /// PageRank in the interaction graph of the posts in scope (ranks sum to 1).
    pub pagerank: f64,
}

/// The `influencers` analysis.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Influencers {
    /// `"influencers"`.
    pub analysis: &'static str,
    /// The graph, in words.
    pub graph: &'static str,
    /// The brand filter, if any.
    pub brand: Option<String>,
    /// Authors with posts in scope.
    pub authors: u64,
    /// Nodes of the interaction graph (authors and the accounts they interact with).
    pub nodes: u64,
    /// Distinct directed author pairs.
    pub edges: u64,
    /// Authors with posts in scope, most followers first.
    pub by_reach: Vec<InfluencerRow>,
    /// Authors with posts in scope, most engagement received first.
    pub by_engagement: Vec<InfluencerRow>,
    /// Every node, highest PageRank first.
    pub by_centrality: Vec<InfluencerRow>,
}

/// Authors ranked by reach (followers), engagement received and PageRank centrality.
pub fn influencers(store: &dyn Store, params: &Params) -> Result<Influencers> {
    params.check()?;
    let g = load(store, params)?;
    let edges = g.edges(true);
    // Nodes: authors with posts in scope, and every edge end.
    let mut nodes: BTreeMap<&str, u32> = BTreeMap::new();
    let mut posts: HashMap<u32, (u64, u64)> = HashMap::new();
    for r in g.recs.iter().filter(|r| r.in_scope) {
        let e = posts.entry(r.author).or_insert((0, 0));
        e.0 += 1;
        e.1 += r.engagement;
        nodes.insert(&g.authors.keys[r.author as usize], r.author);
    }
    for (a, b) in edges.keys() {
        nodes.insert(&g.authors.keys[*a as usize], *a);
        nodes.insert(&g.authors.keys[*b as usize], *b);
    }
    let ids: Vec<u32> = nodes.values().copied().collect();
    let pos: HashMap<u32, usize> = ids.iter().enumerate().map(|(i, a)| (*a, i)).collect();
    let list: Vec<(usize, usize, f64)> = edges
        .iter()
        .map(|((a, b), w)| (pos[a], pos[b], *w as f64))
        .collect();
    let pr = pagerank(ids.len(), &list, DAMPING);
    let mut received: HashMap<u32, u64> = HashMap::new();
    for ((_, b), w) in &edges {
        *received.entry(*b).or_insert(0) += w;
    }
    let rows: Vec<InfluencerRow> = ids
        .iter()
        .enumerate()
        .map(|(i, a)| {
            let key = &g.authors.keys[*a as usize];
            let (network, handle) = split_key(key);
            let (p, e) = posts.get(a).copied().unwrap_or((0, 0));
            InfluencerRow {
                author: key.clone(),
                network,
                handle,
                posts: p,
                followers: g.authors.followers[*a as usize],
                engagement: e,
                interactions_received: received.get(a).copied().unwrap_or(0),
                pagerank: pr[i],
            }
        })
        .collect();
    let authors = rows.iter().filter(|r| r.posts > 0).count() as u64;
    let top = |key: &dyn Fn(&InfluencerRow) -> f64, posters_only: bool| {
        let mut v: Vec<&InfluencerRow> = rows
            .iter()
            .filter(|r| !posters_only || r.posts > 0)
            .collect();
        v.sort_by(|a, b| key(b).total_cmp(&key(a)).then(a.author.cmp(&b.author)));
        v.into_iter()
            .take(params.limit)
            .cloned()
            .collect::<Vec<_>>()
    };
    Ok(Influencers {
        analysis: "influencers",
        graph: "directed author graph of the posts in scope: an edge per reply, reshare or quote (to the author of the post answered, when stored) and per mention; pagerank with damping 0.85",
        brand: Scope::new(params).brand().map(str::to_string),
        authors,
        nodes: ids.len() as u64,
        edges: edges.len() as u64,
        by_reach: top(&|r| r.followers as f64, true),
        by_engagement: top(&|r| r.engagement as f64, true),
        by_centrality: top(&|r| r.pagerank, false),
    })
}

/// One cascade: a tree of replies, reshares and quotes under one root post.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Cascade {
    /// Network.
    pub network: Network,
    /// The root post's id.
    pub root: String,
    /// The root's author key.
    pub root_author: String,
    /// The root's creation time.
    pub created_at: Option<String>,
    /// The root's text, cut at 280 bytes.
    pub text: String,
    /// The root answers or reshares a post that is not stored (the tree is partial).
    pub partial: bool,
    /// Posts in the tree, root included.
    pub size: u64,
    /// Longest root-to-leaf path, in edges (a root alone has depth 0).
    pub depth: u64,
    /// Most posts at one depth.
    pub breadth: u64,
    /// Sum of the followers of the distinct authors in the tree.
    pub reach: u64,
    /// Distinct authors.
    pub authors: u64,
    /// Replies and comments in the tree.
    pub replies: u64,
    /// Reshares in the tree.
    pub reshares: u64,
    /// Quotes in the tree.
    pub quotes: u64,
    /// Hops from the brand's own accounts to the root's author in the undirected author
    /// interaction graph (0: the brand posted it); `null` when unreachable or no own account.
    pub root_hops: Option<u64>,
    /// The most hops from the brand of any author in the tree (how far it travelled).
    pub max_hops: Option<u64>,
}

/// The `cascades` analysis.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Cascades {
    /// `"cascades"`.
    pub analysis: &'static str,
    /// The brand filter, if any.
    pub brand: Option<String>,
    /// The own accounts hops are counted from (`network:handle`).
    pub brand_accounts: Vec<String>,
    /// Trees of two or more posts with at least one post in scope.
    pub cascades: u64,
    /// Posts in scope that are alone in their tree.
    pub singletons: u64,
    /// Deepest tree.
    pub max_depth: u64,
    /// Mean size of the cascades (trees of two or more posts).
    pub mean_size: f64,
    /// Authors of posts in scope by hops from the brand (`"0"`, `"1"`, …, `"unreachable"`): the
    /// "six degrees" distribution.
    pub degrees: BTreeMap<String, u64>,
    /// The largest cascades (at most `limit`).
    pub top: Vec<Cascade>,
}

/// Reply/reshare/quote trees: size, depth, breadth, reach, and hops from the brand's own
/// accounts (the declared own brands, or the `--brand` one, see [`crate::Brand::accounts`]).
pub fn cascades(store: &dyn Store, params: &Params) -> Result<Cascades> {
    params.check()?;
    let g = load(store, params)?;
    let n = g.recs.len();
    // Own accounts.
    let handles: Vec<String> = match params.brand.as_deref().and_then(|b| params.brands.get(b)) {
        Some(b) => b.accounts(),
        None => params
            .brands
            .brands()
            .iter()
            .filter(|b| b.own)
            .flat_map(|b| b.accounts())
            .collect(),
    };
    let mut sources: Vec<u32> = Vec::new();
    let mut brand_accounts = Vec::new();
    for (i, key) in g.authors.keys.iter().enumerate() {
        let (_, h) = split_key(key);
        if handles.contains(&h) {
            sources.push(i as u32);
            brand_accounts.push(key.clone());
        }
    }
    brand_accounts.sort();
    // Hops: BFS over the undirected interaction graph of every stored post.
    let na = g.authors.keys.len();
    let mut adj: Vec<Vec<u32>> = vec![Vec::new(); na];
    for (a, b) in g.edges(false).keys() {
        adj[*a as usize].push(*b);
        adj[*b as usize].push(*a);
    }
    let mut hops: Vec<Option<u64>> = vec![None; na];
    let mut queue = VecDeque::new();
    for s in &sources {
        hops[*s as usize] = Some(0);
        queue.push_back(*s);
    }
    while let Some(a) = queue.pop_front() {
        let d = hops[a as usize].unwrap_or(0);
        for b in &adj[a as usize] {
            if hops[*b as usize].is_none() {
                hops[*b as usize] = Some(d + 1);
                queue.push_back(*b);
            }
        }
    }
    // Trees.
    let mut children: Vec<Vec<u32>> = vec![Vec::new(); n];
    let mut has_parent = vec![false; n];
    for (i, hp) in has_parent.iter_mut().enumerate() {
        if let Some(j) = g.parent(i) {
            children[j].push(i as u32);
            *hp = true;
        }
    }
    let mut cascades = Vec::new();
    let mut singletons = 0u64;
    let mut visited = vec![false; n];
    for root in 0..n {
        if has_parent[root] {
            continue;
        }
        let mut levels: Vec<u64> = Vec::new();
        let mut members: Vec<usize> = Vec::new();
        let mut q = VecDeque::from([(root, 0usize)]);
        visited[root] = true;
        while let Some((i, d)) = q.pop_front() {
            members.push(i);
            if levels.len() <= d {
                levels.push(0);
            }
            levels[d] += 1;
            for c in &children[i] {
                if !visited[*c as usize] {
                    visited[*c as usize] = true;
                    q.push_back((*c as usize, d + 1));
                }
            }
        }
        let in_scope = members.iter().any(|m| g.recs[*m].in_scope);
        if !in_scope {
            continue;
        }
        if members.len() == 1 {
            singletons += 1;
            continue;
        }
        cascades.push(summarise(&g, root, &members, &levels, &hops));
    }
    // Posts in cycles (a answers b answers a) have no root; they are left out.
    let mut degrees: BTreeMap<String, u64> = BTreeMap::new();
    let mut seen_authors: Vec<u32> = g
        .recs
        .iter()
        .filter(|r| r.in_scope)
        .map(|r| r.author)
        .collect();
    seen_authors.sort_unstable();
    seen_authors.dedup();
    for a in seen_authors {
        let k = hops[a as usize].map_or_else(|| "unreachable".to_string(), |h| h.to_string());
        *degrees.entry(k).or_insert(0) += 1;
    }
    let count = cascades.len() as u64;
    let max_depth = cascades.iter().map(|c| c.depth).max().unwrap_or(0);
    let mean_size = if count == 0 {
        0.0
    } else {
        cascades.iter().map(|c| c.size).sum::<u64>() as f64 / count as f64
    };
    cascades.sort_by(|a, b| {
        b.size
            .cmp(&a.size)
            .then(b.reach.cmp(&a.reach))
            .then(a.root.cmp(&b.root))
    });
    cascades.truncate(params.limit);
    for c in &mut cascades {
        let key = PostKey {
            network: c.network,
            native_id: c.root.clone(),
        };
        if let Some(p) = store.get(&key)? {
            c.text = snippet(&p.full_text(), 280);
        }
    }
    Ok(Cascades {
        analysis: "cascades",
        brand: Scope::new(params).brand().map(str::to_string),
        brand_accounts,
        cascades: count,
        singletons,
        max_depth,
        mean_size,
        degrees,
        top: cascades,
    })
}

fn summarise(
    g: &Graph,
    root: usize,
    members: &[usize],
    levels: &[u64],
    hops: &[Option<u64>],
) -> Cascade {
    let r = &g.recs[root];
    let mut authors: Vec<u32> = members.iter().map(|m| g.recs[*m].author).collect();
    authors.sort_unstable();
    authors.dedup();
    let count = |k: &[PostKind]| {
        members
            .iter()
            .filter(|m| **m != root && k.contains(&g.recs[**m].kind))
            .count() as u64
    };
    let max_hops = if authors.iter().any(|a| hops[*a as usize].is_none()) {
        None
    } else {
        authors.iter().filter_map(|a| hops[*a as usize]).max()
    };
    Cascade {
        network: r.network,
        root: r.native_id.clone(),
        root_author: g.authors.keys[r.author as usize].clone(),
        created_at: r.created.map(iso),
        text: String::new(),
        partial: r.target.is_some(),
        size: members.len() as u64,
        depth: levels.len().saturating_sub(1) as u64,
        breadth: levels.iter().copied().max().unwrap_or(0),
        reach: authors
            .iter()
            .map(|a| g.authors.followers[*a as usize])
            .sum(),
        authors: authors.len() as u64,
        replies: count(&[PostKind::Reply, PostKind::Comment, PostKind::Review]),
        reshares: count(&[PostKind::Reshare]),
        quotes: count(&[PostKind::Quote]),
        root_hops: hops[r.author as usize],
        max_hops,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pagerank_of_a_star_by_hand() {
        // a → c, b → c; c dangles. x = (1/3) / (1 + 2·0.85/3), y = 1 − 2x.
        let pr = pagerank(3, &[(0, 2, 1.0), (1, 2, 1.0)], 0.85);
        let x = (1.0 / 3.0) / (1.0 + 2.0 * 0.85 / 3.0);
        assert!((pr[0] - x).abs() < 1e-9, "{pr:?}");
        assert!((pr[1] - x).abs() < 1e-9);
        assert!((pr[2] - (1.0 - 2.0 * x)).abs() < 1e-9);
        assert!((pr.iter().sum::<f64>() - 1.0).abs() < 1e-9);
        assert!(pagerank(0, &[], 0.85).is_empty());
    }
}
