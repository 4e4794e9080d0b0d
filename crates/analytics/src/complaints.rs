//! What customers complain about: a Spanish and English aspect lexicon applied to the posts
//! that complain (intent `complaint`) or are negative.
//!
//! Each aspect has patterns over folded words (lowercase, no accents): a word, a word prefix
//! ending in `*`, or several words in a row. A post gets every aspect one of whose patterns it
//! contains, in order of first appearance.

use crate::error::{AnalyticsError, Result};
use crate::scan::{Scope, for_each_in_scope, snippet};
use crate::text::words;
use crate::{Interval, MAX_BUCKETS, Params, iso};
use serde::Serialize;
use std::collections::BTreeMap;
use tertulia_model::{Intent, Network, Post, Sentiment};
use tertulia_store::Store;

/// The aspects: `(id, English label, Spanish label, patterns)`.
pub const ASPECTS: &[(&str, &str, &str, &[&str])] = &[
    (
        "customer_service",
        "customer service",
        "atención al cliente",
        &[
            "customer service",
            "customer care",
            "customer support",
            "service",
            "servicio",
            "atencion",
            "on hold",
            "hold",
            "call center",
            "call back",
            "callback",
            "phone",
            "telefono",
            "helpline",
            "hotline",
            "representative*",
            "rep",
            "reps",
            "agent",
            "agents",
            "no answer",
            "no response",
            "respond*",
            "reply",
            "nobody",
            "no one",
            "contesta*",
            "responde*",
            "llamada*",
            "llamar",
            "chat",
            "dm",
            "support",
            "soporte",
            "help",
            "ayuda",
        ],
    ),
    (
        "delays",
        "delays",
        "retrasos",
        &[
            "delay*",
            "late",
            "lateflight",
            "retras*",
            "demora*",
            "tarde",
            "tarmac",
            "missed",
            "misconnect*",
            "waiting",
            "wait",
            "hours",
            "horas",
            "esperando",
            "still",
            "sin salir",
            "on time",
        ],
    ),
    (
        "cancellations",
        "cancellations",
        "cancelaciones",
        &[
            "cancel*",
            "cancelad*",
            "cancelacion*",
            "rebook*",
            "reschedul*",
            "reprogram*",
            "anulad*",
        ],
    ),
    (
        "luggage",
        "luggage",
        "equipaje",
        &[
            "bag",
            "bags",
            "baggage",
            "luggage",
            "suitcase*",
            "maleta*",
            "equipaje*",
            "carry on",
            "checked bag*",
            "lost and found",
        ],
    ),
    (
        "price",
        "price and fees",
        "precio y cargos",
        &[
            "price*",
            "pricing",
            "expensive",
            "fee",
            "fees",
            "charge*",
            "overcharg*",
            "cost*",
            "precio*",
            "caro",
            "cara",
            "caros",
            "caras",
            "tarifa*",
            "cobr*",
            "comision*",
            "rip off",
            "ripoff",
            "estafa*",
            "scam",
        ],
    ),
    (
        "product_quality",
        "product quality",
        "calidad del producto",
        &[
            "quality",
            "broken",
            "defect*",
            "faulty",
            "doesn't work",
            "doesnt work",
            "not working",
            "stopped working",
            "calidad",
            "roto",
            "rota",
            "rotos",
            "defectuos*",
            "no funciona",
            "dirty",
            "sucio*",
            "sucia*",
            "seat",
            "seats",
            "legroom",
            "wifi",
            "wi-fi",
            "food",
            "entertainment",
            "uncomfortable",
            "asiento*",
            "comida",
            "damaged",
            "danad*",
            "estropead*",
        ],
    ),
    (
        "booking_website",
        "booking and website",
        "reservas y web",
        &[
            "website",
            "site",
            "web",
            "app",
            "online",
            "booking*",
            "book",
            "booked",
            "reservation*",
            "reserva*",
            "check in",
            "checkin",
            "pagina",
            "aplicacion",
            "login",
            "password",
            "contrasena",
            "error",
            "itinerary",
            "boarding pass",
            "ticket*",
            "billete*",
        ],
    ),
    (
        "refunds",
        "refunds",
        "reembolsos",
        &[
            "refund*",
            "reembols*",
            "devolucion*",
            "devolver",
            "devuelv*",
            "money back",
            "voucher*",
            "reimburs*",
            "compensat*",
            "compensacion*",
            "credit",
            "dinero",
        ],
    ),
    (
        "staff",
        "staff",
        "personal",
        &[
            "rude",
            "staff",
            "attendant*",
            "crew",
            "employee*",
            "pilot*",
            "gate agent",
            "unprofessional",
            "personal",
            "azafat*",
            "grosero*",
            "grosera*",
            "maleducad*",
            "tripulacion",
            "empleado*",
            "borde",
            "trato",
        ],
    ),
    (
        "waiting_lines",
        "waiting lines",
        "colas",
        &[
            "line",
            "lines",
            "queue*",
            "longlines",
            "cola",
            "colas",
            "fila",
            "filas",
        ],
    ),
    (
        "delivery",
        "delivery",
        "envíos",
        &[
            "shipping",
            "shipment",
            "delivery",
            "deliver*",
            "package",
            "parcel",
            "envio*",
            "entrega*",
            "paquete*",
            "pedido*",
            "never arrived",
            "not arrived",
            "no ha llegado",
            "no llego",
        ],
    ),
];

fn word_matches(pattern: &str, word: &str) -> bool {
    match pattern.strip_suffix('*') {
        Some(prefix) => word.starts_with(prefix),
        None => pattern == word,
    }
}

/// The aspects (ids from [`ASPECTS`]) a text mentions, in order of first appearance.
pub fn aspects_of(text: &str) -> Vec<&'static str> {
    let ws = words(text);
    let mut found: Vec<(usize, usize)> = Vec::new(); // (position, aspect index)
    for (ai, (_, _, _, patterns)) in ASPECTS.iter().enumerate() {
        let mut first: Option<usize> = None;
        for p in *patterns {
            let parts: Vec<&str> = p.split(' ').collect();
            if parts.len() > ws.len() {
                continue;
            }
            for start in 0..=(ws.len() - parts.len()) {
                if first.is_some_and(|f| f <= start) {
                    break;
                }
                if parts
                    .iter()
                    .zip(&ws[start..])
                    .all(|(pp, w)| word_matches(pp, w))
                {
                    first = Some(start);
                    break;
                }
            }
        }
        if let Some(f) = first {
            found.push((f, ai));
        }
    }
    found.sort();
    found.into_iter().map(|(_, ai)| ASPECTS[ai].0).collect()
}

/// Whether a post is a complaint for this analysis: intent `complaint`, or negative sentiment.
pub(crate) fn is_complaint(p: &Post) -> bool {
    p.enrichment.as_ref().is_some_and(|e| {
        e.sentiment == Sentiment::Negative || e.intents.contains(&Intent::Complaint)
    })
}

/// An example complaint.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ComplaintExample {
    /// Network.
    pub network: Network,
    /// The network's id of the post.
    pub native_id: String,
    /// Author handle (or name, or id).
    pub author: String,
    /// Creation time, if known.
    pub created_at: Option<String>,
    /// Likes + reshares + replies + quotes.
    pub engagement: u64,
    /// Text, cut at 280 bytes.
    pub text: String,
}

/// One bucket of an aspect's trend.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TrendPoint {
    /// Bucket start (RFC 3339).
    pub start: String,
    /// Complaints about the aspect in the bucket.
    pub count: u64,
}

/// One complaint aspect.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct AspectReport {
    /// Aspect id (`delays`, `luggage`…).
    pub aspect: &'static str,
    /// English label.
    pub label_en: &'static str,
    /// Spanish label.
    pub label_es: &'static str,
    /// Complaints mentioning it.
    pub count: u64,
    /// `count` / complaints considered.
    pub share: f64,
    /// Complaints per interval (dense, same buckets for every aspect).
    pub trend: Vec<TrendPoint>,
    /// The most engaged complaints about it (up to min(3, limit)).
    pub examples: Vec<ComplaintExample>,
}

/// The `complaints` analysis.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Complaints {
    /// `"complaints"`.
    pub analysis: &'static str,
    /// Which posts are counted, in words.
    pub rule: &'static str,
    /// Trend bucket width.
    pub interval: Interval,
    /// The brand filter, if any.
    pub brand: Option<String>,
    /// Complaints considered (intent complaint or negative).
    pub complaints: u64,
    /// Of which mentioning at least one aspect.
    pub with_aspect: u64,
    /// Of which mentioning none.
    pub without_aspect: u64,
    /// Aspects with at least one complaint, most frequent first (at most `limit`).
    pub aspects: Vec<AspectReport>,
}

struct Hit {
    aspects: Vec<usize>,
    bucket: Option<i64>,
    example: ComplaintExample,
}

/// Complaint aspects with counts, trend per interval and example posts.
pub fn complaints(store: &dyn Store, params: &Params) -> Result<Complaints> {
    params.check()?;
    let iv = params.interval;
    let mut hits: Vec<Hit> = Vec::new();
    let mut considered = 0u64;
    for_each_in_scope(store, params, &mut |p| {
        if !is_complaint(&p) {
            return;
        }
        considered += 1;
        let text = p.full_text();
        let aspects: Vec<usize> = aspects_of(&text)
            .into_iter()
            .filter_map(|a| ASPECTS.iter().position(|x| x.0 == a))
            .collect();
        if aspects.is_empty() {
            return;
        }
        hits.push(Hit {
            aspects,
            bucket: p.created_at.map(|t| iv.bucket_start(t.timestamp())),
            example: ComplaintExample {
                network: p.network,
                native_id: p.native_id.clone(),
                author: snippet(p.author.label(), 256),
                created_at: p.created_at.map(|t| iso(t.timestamp())),
                engagement: tertulia_store::engagement(&p),
                text: snippet(&text, 280),
            },
        });
    })?;
    // Buckets: the requested range, else the complaints' own.
    let mut lo = params.from.map(|t| iv.bucket_start(t.timestamp()));
    let mut hi = params.to.map(|t| iv.bucket_start(t.timestamp() - 1));
    for h in &hits {
        if let Some(b) = h.bucket {
            if params.from.is_none() {
                lo = Some(lo.map_or(b, |x| x.min(b)));
            }
            if params.to.is_none() {
                hi = Some(hi.map_or(b, |x| x.max(b)));
            }
        }
    }
    let starts: Vec<i64> = match (lo, hi) {
        (Some(l), Some(h)) if l <= h => {
            let n = ((h - l) / iv.seconds() + 1) as usize;
            if n > MAX_BUCKETS {
                return Err(AnalyticsError::InvalidParams(format!(
                    "the range needs {n} {iv} buckets, more than {MAX_BUCKETS}; use a coarser interval or a narrower range"
                )));
            }
            (0..n as i64).map(|i| l + i * iv.seconds()).collect()
        }
        _ => Vec::new(),
    };
    let mut per: BTreeMap<usize, (u64, Vec<u64>, Vec<&Hit>)> = BTreeMap::new();
    for h in &hits {
        for a in &h.aspects {
            let e = per
                .entry(*a)
                .or_insert_with(|| (0, vec![0; starts.len()], Vec::new()));
            e.0 += 1;
            if let (Some(b), Some(first)) = (h.bucket, starts.first()) {
                let i = ((b - first) / iv.seconds()) as usize;
                if let Some(x) = e.1.get_mut(i) {
                    *x += 1;
                }
            }
            e.2.push(h);
        }
    }
    let mut aspects: Vec<AspectReport> = per
        .into_iter()
        .map(|(a, (count, trend, mut ex))| {
            ex.sort_by(|x, y| {
                y.example
                    .engagement
                    .cmp(&x.example.engagement)
                    .then(x.example.created_at.cmp(&y.example.created_at))
                    .then(x.example.native_id.cmp(&y.example.native_id))
            });
            let (id, en, es, _) = ASPECTS[a];
            AspectReport {
                aspect: id,
                label_en: en,
                label_es: es,
                count,
                share: count as f64 / considered.max(1) as f64,
                trend: starts
                    .iter()
                    .zip(trend)
                    .map(|(s, count)| TrendPoint {
                        start: iso(*s),
                        count,
                    })
                    .collect(),
                examples: ex
                    .iter()
                    .take(params.limit.min(3))
                    .map(|h| h.example.clone())
                    .collect(),
            }
        })
        .collect();
    aspects.sort_by(|a, b| b.count.cmp(&a.count).then(a.aspect.cmp(b.aspect)));
    aspects.truncate(params.limit);
    let with = hits.len() as u64;
    Ok(Complaints {
        analysis: "complaints",
        rule: "posts whose enrichment has intent complaint or negative sentiment; aspects from a Spanish+English lexicon over folded words",
        interval: iv,
        brand: Scope::new(params).brand().map(str::to_string),
        complaints: considered,
        with_aspect: with,
        without_aspect: considered - with,
        aspects,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn aspects_in_both_languages_in_order_of_appearance() {
        assert_eq!(
            aspects_of("Mi MALETA se perdió y el vuelo salió con retraso"),
            vec!["luggage", "delays"]
        );
        assert_eq!(
            aspects_of("flight Cancelled Flightled, still no refund and rude staff"),
            vec!["cancellations", "delays", "refunds", "staff"]
        );
        assert_eq!(
            aspects_of("Precio carísimo, la página da error"),
            vec!["price", "booking_website"]
        );
        assert_eq!(
            aspects_of("on hold for 2 hours"),
            vec!["customer_service", "delays"]
        );
        assert!(aspects_of("hola qué tal").is_empty());
        assert!(aspects_of("").is_empty());
    }

    #[test]
    fn every_aspect_has_patterns_and_unique_ids() {
        let mut ids: Vec<&str> = ASPECTS.iter().map(|a| a.0).collect();
        ids.sort();
        ids.dedup();
        assert_eq!(ids.len(), ASPECTS.len());
        assert!(ASPECTS.iter().all(|a| !a.3.is_empty()));
    }
}
