//! Integration tests of the embedded classifier, `classify_jsonl` and `eval`.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::io::Cursor;
use tertulia_model::{Intent, Sentiment};
use tertulia_nlp::{Classifier, Task, classify_jsonl, eval};

fn clf() -> Classifier {
    Classifier::embedded().expect("embedded model")
}

/// Top-level keys of a JSON object line, in order.
fn key_order(line: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut de = serde_json::Deserializer::from_str(line);
    struct V<'a>(&'a mut Vec<String>);
    impl<'de> serde::de::Visitor<'de> for V<'_> {
        type Value = ();
        fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
            f.write_str("object")
        }
        fn visit_map<A: serde::de::MapAccess<'de>>(self, mut m: A) -> Result<(), A::Error> {
            while let Some(k) = m.next_key::<String>()? {
                m.next_value::<serde::de::IgnoredAny>()?;
                self.0.push(k);
            }
            Ok(())
        }
    }
    serde::Deserializer::deserialize_map(&mut de, V(&mut out)).expect("object line");
    out
}

#[test]
fn classify_keeps_order_fields_and_reports_errors() {
    let input = include_str!("fixtures/classify.input.jsonl");
    let mut out = Vec::new();
    let stats = classify_jsonl(&clf(), Cursor::new(input), &mut out).unwrap();
    let out = String::from_utf8(out).unwrap();
    let lines: Vec<&str> = out.lines().collect();
    assert_eq!(lines.len(), input.lines().count());
    assert_eq!(stats.lines, 12);
    let orders: Vec<Vec<String>> = lines.iter().map(|l| key_order(l)).collect();
    let expected: Vec<Vec<String>> =
        serde_json::from_str(include_str!("fixtures/classify.keys.expected.json")).unwrap();
    assert_eq!(orders, expected);
    assert_eq!(stats.errors, 5);
    assert_eq!(stats.classified, 7);
    for l in &lines {
        let v: serde_json::Value = serde_json::from_str(l).unwrap();
        if v.get("error").is_some() {
            continue;
        }
        let s = v["sentiment_score"].as_f64().unwrap();
        assert!((-1.0..=1.0).contains(&s));
        assert!(["positive", "neutral", "negative"].contains(&v["sentiment"].as_str().unwrap()));
        assert!(v["intents"].is_array());
        assert!(v["offensive"].is_boolean());
    }
    let v: serde_json::Value = serde_json::from_str(lines[10]).unwrap();
    assert_eq!(v["nested"], serde_json::json!({"a":[1,2,{"b":null}]}));
    assert_ne!(v["sentiment"], "old");
    assert!(lines[4].contains("invalid JSON"));
    assert!(lines[5].contains("missing"));
    assert!(lines[6].contains("not a string"));
}

#[test]
fn obvious_cases_are_right() {
    let c = clf();
    let e = c.enrich("¡Muchas gracias por todo, sois los mejores! 😍");
    assert_eq!(e.lang, "es");
    assert_eq!(e.sentiment, Sentiment::Positive);
    assert!(e.intents.contains(&Intent::Praise));
    let e = c.enrich(
        "@Iberia llevo tres horas esperando y nadie me dice nada, qué vergüenza #MalServicio",
    );
    assert_eq!(e.sentiment, Sentiment::Negative);
    assert!(e.intents.contains(&Intent::Complaint));
    let e = c.enrich("¿Alguien sabe a qué hora empieza el partido?");
    assert!(e.intents.contains(&Intent::Question));
    let e = c.enrich("¿En serio? ¿Otra vez? Qué vergüenza");
    assert!(!e.intents.contains(&Intent::Question));
    let e = c.enrich("@united my bag is lost again, worst airline ever");
    assert_eq!(e.lang, "en");
    assert_eq!(e.sentiment, Sentiment::Negative);
    assert!(e.intents.contains(&Intent::Complaint));
    let e = c.enrich("I love this, thank you so much!");
    assert_eq!(e.sentiment, Sentiment::Positive);
}

#[test]
fn spanish_complaints_of_general_conversation() {
    // Invented sentences (not from any corpus).
    let c = clf();
    for t in [
        "Estoy hasta las narices de los anuncios en mitad de la película",
        "Qué asco de arbitraje, nos han robado",
        "Gracias por nada, otra vez sin poder ver el partido",
        "¿Hasta cuándo vamos a aguantar esta defensa tan penosa?",
    ] {
        let e = c.enrich(t);
        assert!(e.intents.contains(&Intent::Complaint), "{t}: {e:?}");
        assert!(!e.intents.contains(&Intent::Praise), "{t}: {e:?}");
    }
    for t in [
        "El partido empieza a las nueve",
        "¡Enhorabuena al equipo por el ascenso!",
    ] {
        let e = c.enrich(t);
        assert!(!e.intents.contains(&Intent::Complaint), "{t}: {e:?}");
    }
}

#[test]
fn hostile_inputs_never_panic() {
    let c = clf();
    for t in [
        String::new(),
        "\u{0}\u{1}\u{fffd}".repeat(1000),
        "a".repeat(1_000_000),
        "😂".repeat(100_000),
        "#".repeat(10_000),
        "@@@@ ## http:// www.".into(),
    ] {
        let e = c.enrich(&t);
        assert!((-1.0..=1.0).contains(&e.sentiment_score));
    }
    assert_eq!(c.enrich("").lang, "und");
}

#[test]
fn classify_streams_many_lines_in_order() {
    let mut input = String::new();
    for i in 0..20_000 {
        input.push_str(&format!("{{\"n\":{i},\"text\":\"hola {i} qué tal\"}}\n"));
    }
    let mut out = Vec::new();
    let stats = classify_jsonl(&clf(), Cursor::new(input), &mut out).unwrap();
    assert_eq!(stats.classified, 20_000);
    for (i, l) in String::from_utf8(out).unwrap().lines().enumerate() {
        assert!(l.starts_with(&format!("{{\"n\":{i},")));
    }
}

#[test]
fn batches_are_pipelined_in_order_at_every_boundary() {
    use tertulia_nlp::classify::BATCH_LINES;
    let c = clf();
    for n in [
        0,
        1,
        BATCH_LINES - 1,
        BATCH_LINES,
        2 * BATCH_LINES,
        2 * BATCH_LINES + 1,
    ] {
        let mut input = String::new();
        for i in 0..n {
            input.push_str(&format!("{{\"n\":{i},\"text\":\"muy bien {i}\"}}\n"));
        }
        let mut out = Vec::new();
        let stats = classify_jsonl(&c, Cursor::new(input), &mut out).unwrap();
        assert_eq!(
            (stats.lines, stats.classified, stats.errors),
            (n as u64, n as u64, 0)
        );
        let out = String::from_utf8(out).unwrap();
        assert_eq!(out.lines().count(), n, "{n} lines");
        for (i, l) in out.lines().enumerate() {
            assert!(
                l.starts_with(&format!("{{\"n\":{i},")),
                "{n} lines: line {i} is {l}"
            );
        }
    }
}

#[test]
fn keys_that_need_escaping_are_written_back_escaped() {
    let input = "{\"a\\\"b\":1,\"tab\\tkey\":2,\"\\u00e9\\\\\":3,\"ñ\":4,\"text\":\"hola\"}\n";
    let mut out = Vec::new();
    classify_jsonl(&clf(), Cursor::new(input), &mut out).unwrap();
    let line = String::from_utf8(out).unwrap();
    let keys = key_order(line.trim_end());
    assert_eq!(keys[..5], ["a\"b", "tab\tkey", "é\\", "ñ", "text"]);
    let v: serde_json::Value = serde_json::from_str(&line).unwrap();
    assert_eq!(v["a\"b"], 1);
    assert_eq!(v["tab\tkey"], 2);
}

/// A writer that fails once `left` bytes have been written.
struct Failing {
    left: usize,
}

impl std::io::Write for Failing {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        if buf.len() > self.left {
            return Err(std::io::Error::other("disk full"));
        }
        self.left -= buf.len();
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

#[test]
fn a_failing_output_stops_the_run_and_names_the_line() {
    let input: String = (0..20_000)
        .map(|i| format!("{{\"text\":\"hola {i}\"}}\n"))
        .collect();
    let one = {
        let mut out = Vec::new();
        classify_jsonl(&clf(), Cursor::new("{\"text\":\"hola 0\"}\n"), &mut out).unwrap();
        out.len()
    };
    // Room for the first line and part of the second.
    let err = classify_jsonl(&clf(), Cursor::new(input), Failing { left: one + 3 }).unwrap_err();
    match err {
        tertulia_nlp::NlpError::Stream { line, .. } => assert_eq!(line, 2),
        other => panic!("unexpected {other}"),
    }
}

/// A reader that fails after `ok` bytes of `data`.
struct FailingInput {
    data: Vec<u8>,
    ok: usize,
    pos: usize,
}

impl std::io::Read for FailingInput {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        if self.pos >= self.ok {
            return Err(std::io::Error::other("connection reset"));
        }
        let n = buf.len().min(self.ok - self.pos);
        buf[..n].copy_from_slice(&self.data[self.pos..self.pos + n]);
        self.pos += n;
        Ok(n)
    }
}

#[test]
fn a_failing_input_still_answers_every_line_read_before_it() {
    use tertulia_nlp::classify::BATCH_LINES;
    // Two whole batches, then half a line, then the failure.
    let whole: String = (0..2 * BATCH_LINES)
        .map(|i| format!("{{\"n\":{i},\"text\":\"hola\"}}\n"))
        .collect();
    let mut data = whole.clone().into_bytes();
    data.extend_from_slice(b"{\"n\":-1,\"te");
    let input = std::io::BufReader::with_capacity(
        4096,
        FailingInput {
            ok: data.len(),
            data,
            pos: 0,
        },
    );
    let mut out = Vec::new();
    let err = classify_jsonl(&clf(), input, &mut out).unwrap_err();
    match err {
        tertulia_nlp::NlpError::Stream { line, .. } => assert_eq!(line, 2 * BATCH_LINES as u64 + 1),
        other => panic!("unexpected {other}"),
    }
    let out = String::from_utf8(out).unwrap();
    assert_eq!(out.lines().count(), 2 * BATCH_LINES);
    assert!(
        out.lines()
            .last()
            .unwrap()
            .starts_with(&format!("{{\"n\":{},", 2 * BATCH_LINES - 1))
    );
}

#[test]
fn eval_reports_on_a_labelled_file() {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("s.jsonl");
    std::fs::write(
        &p,
        "{\"text\":\"me encanta, gracias\",\"label\":\"positive\"}\n\
         {\"text\":\"qué asco de servicio, nunca más\",\"label\":\"negative\"}\n\
         {\"text\":\"hoy es martes\",\"label\":\"none\"}\n",
    )
    .unwrap();
    let r = eval(&clf(), &p, Task::Sentiment).unwrap();
    assert_eq!(r.n, 3);
    assert_eq!(r.confusion.iter().flatten().sum::<u64>(), 3);
    let text = r.to_string();
    assert!(text.contains("macro-F1"));
    let json = serde_json::to_value(&r).unwrap();
    assert!(json["macro_f1"].is_number());
    let p2 = dir.path().join("i.jsonl");
    std::fs::write(
        &p2,
        "{\"text\":\"¿Alguien sabe cuándo abre?\",\"label\":[\"question\"]}\n\
         {\"text\":\"Enhorabuena, campeones\",\"label\":[\"praise\"]}\n",
    )
    .unwrap();
    let r = eval(&clf(), &p2, Task::Intent).unwrap();
    assert!(r.multilabel);
    assert!(eval(&clf(), &dir.path().join("missing.jsonl"), Task::Lang).is_err());
}

#[test]
fn overlong_lines_and_invalid_utf8_get_errors_and_the_run_goes_on() {
    let mut input: Vec<u8> = Vec::new();
    input.extend_from_slice(b"{\"text\":\"hola\"}\n");
    input.extend_from_slice(b"{\"text\":\"");
    input.extend(std::iter::repeat_n(b'a', 3 << 20));
    input.extend_from_slice(b"\"}\n");
    input.extend_from_slice(b"{\"text\":\"caf\xff\xfe\"}\n");
    input.extend_from_slice(b"{\"text\":\"adios\"}");
    let mut out = Vec::new();
    let stats = classify_jsonl(&clf(), Cursor::new(input), &mut out).unwrap();
    let out = String::from_utf8(out).unwrap();
    let lines: Vec<&str> = out.lines().collect();
    assert_eq!(lines.len(), 4);
    assert!(lines[1].contains("longer than"));
    assert!(lines[2].contains("\"lang\""));
    assert!(lines[3].contains("adios"));
    assert_eq!(stats.errors, 1);
}

#[test]
fn spanish_requests_jabs_greetings_and_approval() {
    let c = clf();
    // A request without a question mark is a question.
    for t in [
        "Si alguien sabe cómo instalar el programa en un mac que me diga porfa",
        "Se busca compañera para ir al concierto del sábado",
    ] {
        let e = c.enrich(t);
        assert!(e.intents.contains(&Intent::Question), "{t}: {e:?}");
    }
    // A clearly negative question that asks for nothing is a jab: a complaint, not a question.
    let t = "¿Cómo se puede arbitrar tan mal, otra vez el mismo desastre de siempre?";
    let e = c.enrich(t);
    assert!(!e.intents.contains(&Intent::Question), "{t}: {e:?}");
    assert!(e.intents.contains(&Intent::Complaint), "{t}: {e:?}");
    // A greeting is not praise; approval is.
    let e = c.enrich("Buenos días a todos, feliz domingo");
    assert!(!e.intents.contains(&Intent::Praise), "{e:?}");
    for t in [
        "Este libro merece la pena, os lo recomiendo",
        "Qué foto más bonita, me encanta",
    ] {
        let e = c.enrich(t);
        assert!(e.intents.contains(&Intent::Praise), "{t}: {e:?}");
    }
}

#[test]
fn learned_intent_heads_decide_at_their_thresholds() {
    use tertulia_nlp::features::Group;
    use tertulia_nlp::intent::LEARNED;
    let base = clf();
    let es = &base.pack().tables[Group::Es.index()];
    let en = &base.pack().tables[Group::En.index()];
    for (_, head, key) in LEARNED {
        assert!(es.head(head).is_some(), "embedded es table lacks {head}");
        assert!(
            base.pack().params.iter().any(|(k, _)| k == key),
            "no tuned {key}"
        );
    }
    // English learns praise and questions (dense heads over the signals, no table columns);
    // its complaints keep the complaints-corpus head.
    for (intent, head, key) in LEARNED {
        let learned = intent != Intent::Complaint;
        assert!(en.head(head).is_none(), "en table has {head}");
        assert_eq!(
            base.pack().dense(Group::En.index(), head).is_some(),
            learned,
            "en dense {head}"
        );
        let en_key = format!("{key}.en");
        assert_eq!(
            base.pack().params.iter().any(|(k, _)| *k == en_key),
            learned,
            "{en_key}"
        );
    }
    let texts = [
        "¡Enhorabuena al equipo, qué partidazo! Sois los mejores",
        "Qué vergüenza de servicio, llevo dos horas esperando y nadie contesta",
        "¿Alguien sabe a qué hora empieza el partido hoy?",
    ];
    // Threshold above 1: the learned complaint and praise heads never fire (they replace
    // the rules); threshold 0: they always do. The question head only adds to the rules.
    // (Removing the `.en` keys makes the plain ones apply to English too.)
    let with = |t: f32| {
        let mut p = base.pack().clone();
        p.params.retain(|(k, _)| !k.starts_with("intent_"));
        for (_, _, key) in LEARNED {
            p.params.push((key.to_string(), t));
        }
        // (A complaint phrase lowers the complaint threshold to these.)
        p.params
            .push(("intent_complaint.phrase_threshold".into(), t));
        p.params.push(("intent_complaint.weak_threshold".into(), t));
        Classifier::from_pack(p)
    };
    let (never, always) = (with(1.1), with(0.0));
    for t in texts {
        let n = never.enrich(t).intents;
        assert!(
            !n.contains(&Intent::Complaint) && !n.contains(&Intent::Praise),
            "{t}: {n:?}"
        );
        let a = always.enrich(t).intents;
        for i in [Intent::Complaint, Intent::Praise, Intent::Question] {
            assert!(a.contains(&i), "{t}: {a:?}");
        }
    }
    // At the tuned thresholds each text gets its own intent.
    let got: Vec<Vec<Intent>> = texts.iter().map(|t| base.enrich(t).intents).collect();
    assert!(got[0].contains(&Intent::Praise), "{got:?}");
    assert!(got[1].contains(&Intent::Complaint), "{got:?}");
    assert!(got[2].contains(&Intent::Question), "{got:?}");
    // English: praise and questions follow the learned heads, complaints do not.
    let thanks = "Thanks so much, great service today!";
    assert!(!never.enrich(thanks).intents.contains(&Intent::Praise));
    let a = always.enrich(thanks).intents;
    assert!(
        a.contains(&Intent::Praise) && a.contains(&Intent::Question),
        "{a:?}"
    );
    assert!(!a.contains(&Intent::Complaint), "{a:?}");
    let b = base.enrich(thanks).intents;
    assert_eq!(b, vec![Intent::Praise], "{thanks}");
    // An explicit rhetorical phrase vetoes the learned question head.
    let rhet = always.enrich("Who cares about the royals anyway?").intents;
    assert!(!rhet.contains(&Intent::Question), "{rhet:?}");
}

#[test]
fn spanish_sentiment_is_stacked_on_phrase_and_emotion_signals() {
    use tertulia_nlp::features::Group;
    use tertulia_nlp::intent::{Intents, SENTIMENT_STACK, shared};
    use tertulia_nlp::sentiment::{STACKED, probabilities};
    let base = clf();
    let params = &base.pack().params;
    let key = |g: &str| format!("{STACKED}.{g}");
    let stack = tertulia_nlp::intent::STACK as f32;
    assert!(params.iter().any(|(k, v)| *k == key("es") && *v == stack));
    assert!(!params.iter().any(|(k, _)| *k == key("en")));
    // The stacked signals are those the intent heads read at the same positions: one
    // computation of the phrase hits and emotion probabilities, seen by both.
    let intents = Intents::new();
    let mut s = tertulia_nlp::Scratch::default();
    let texts = [
        "¡Enhorabuena al equipo, qué partidazo! Sois los mejores @user",
        "Qué vergüenza de servicio, llevo dos horas esperando y nadie contesta",
        "¿Alguien sabe a qué hora empieza el partido hoy?",
        "Qué tristeza lo de Notre Dame, no me lo puedo creer",
    ];
    let mut moved = 0;
    for t in texts {
        let stacked = base.with_doc(t, &mut s, |d| {
            assert_eq!(d.group, Group::Es, "{t}");
            let (idx, val) = shared().sentiment_stack(d);
            let all = intents.signals(d);
            for (j, &k) in SENTIMENT_STACK.iter().enumerate() {
                assert_eq!(idx[j], intents.signal_index()[k], "{t}: row {k}");
                assert_eq!(val[j], all[k], "{t}: signal {k}");
            }
            // Some emotion probability is there (the emotion head ran).
            assert!(val[16..].iter().sum::<f32>() > 0.99, "{t}: {val:?}");
            probabilities(d)
        });
        // Without the parameter the same table is read as a plain head: other probabilities.
        let mut p = base.pack().clone();
        p.params.retain(|(k, _)| !k.starts_with(STACKED));
        let unstacked = Classifier::from_pack(p);
        let q = unstacked.with_doc(t, &mut s, probabilities);
        let d: f32 = stacked.iter().zip(&q).map(|(a, b)| (a - b).abs()).sum();
        assert!((stacked.iter().sum::<f32>() - 1.0).abs() < 1e-4);
        if d > 1e-3 {
            moved += 1;
        }
    }
    assert_eq!(
        moved,
        texts.len(),
        "the stacked rows change every text's sentiment"
    );
    // The stacked head still decides the obvious cases.
    assert_eq!(base.enrich(texts[0]).sentiment, Sentiment::Positive);
    assert_eq!(base.enrich(texts[1]).sentiment, Sentiment::Negative);
}
