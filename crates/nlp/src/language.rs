//! Language enricher: ISO 639-1 for es, en, pt, fr, it, de, ca, or `und`.
//!
//! A first pass scores function words (weighted by how many languages share them) and the
//! marks that tell languages apart (`ñ`, `¿`, `ç`, `ã`, `ß`, `l·l`…) on the shared normalised
//! tokens, so hashtags, mentions, URLs, emoji and elongations do not count. When that is not
//! conclusive, whatlang (restricted to the seven languages) decides on the text without
//! mentions and URLs; texts with too little evidence are `und`.

use crate::features::HashKeyed;
use crate::normalize::term_hash;
use crate::normalize::{EMOJI, HASHTAG, NormalizedText, SPECIAL, mark};
use crate::{Doc, Enricher};
use std::sync::OnceLock;
use tertulia_model::Enrichment;

/// The languages detected, in score order.
pub const LANGS: [&str; 7] = ["es", "en", "pt", "fr", "it", "de", "ca"];

const ES: &str = "buena buen bueno noticia vida amor feliz noche partido equipo gol serie capitulo libro siempre tanta tan mismo mucha pena enorme fuera vecinos hermanos nuestros nuestro nuestra vuestro vuestra hemos han he has ha sea fue era estaba estan habia tenia ella ellos aunque entonces despues antes usted ustedes dios alla aca esos esas aquel aquella cada contigo conmigo menos demasiado vale venga oye mira hermosa hermoso lindo linda chulo guapo guapa mucha muchas otras nadie alguno alguna estamos tenemos somos vais vosotros de la que el en y a los se del las un por con no una su para es al lo como mas pero sus le ya o este porque esta muy sin sobre tambien me hasta hay donde quien desde todo nos todos uno les ni otros ese eso ellos esto mi yo otro otra tanto esa estos mucho nada muchos cual poco ella estar estas algo mis tu te tus hoy gracias bien hola estoy eres son pues asi vez cuando ahora dia hace tiene tengo puede ser va vamos hacer siempre dice quiero mejor ver solo nunca aqui alguien nadie tambien hoy manana ayer pa q xq porq tb tmb k gente cosas mañana año años señor niños pequeño";
const EN: &str = "cars car driving driverless flight flights bag delayed cancelled customer service plane hours hour wait waiting gate help via check watch live free win happy night week game show home last next every many made said told feel hope always sure yes yeah ok okay guys guy team video new best better thing things gonna wanna gotta ever didnt trying try let lets little big old man world life shit fuck fucking damn omg wow cool nice fun amazing awesome tomorrow yesterday morning school work house money phone google apple the be to of and a in that have i it for not on with he as you do at this but his by from they we say her she or an will my one all would there their what so up out if about who get which go me when make can like time no just him know take people into year your good some could them see other than then now look only come its over think also back after use two how our work first well way even new want because any these give day most us is are was were am has had been does did im dont thats lol its youre cant wont doesnt didnt isnt thanks thank please love why really today tonight got going should being here still much never great";
const PT: &str = "de a o que e do da em um para com nao uma os no se na por mais as dos como mas foi ao ele das tem seu sua ou ser quando muito nos ja esta eu tambem so pelo pela ate isso ela entre era depois sem mesmo aos ter seus quem nas me esse eles estao voce tinha foram essa num nem suas meu minha tem numa pelos elas havia seja qual sera tenho lhe deles essas esses pelas este fosse dele tu te voces vos lhes meus minhas teu tua obrigado obrigada pra entao vai sao coisa hoje agora bom boa tudo aqui fazer estou";
const FR: &str = "de la le et les des en un du une que est pour qui dans a par plus pas au sur ne se ce il sont avec ou mais nous vous je tu on elle ils elles y son sa ses cette aux leur fait etre avoir tres bien merci cest jai oui non comme tout quil nest dun dune sont mon ma mes ton ta suis ete faire aussi encore toujours rien quand moi toi lui bonjour ca cela";
const IT: &str = "di e il la che in a per un non una sono i con le del da al si lo della ma come anche ho ha mi ti se gli questo molto bene grazie sei cosa tutto io tu lui lei noi voi loro perche piu gia sempre ancora fatto essere nel alla delle dei degli sul questa sono stato oggi ciao buongiorno niente tutti quando dove chi cosi allora";
const DE: &str = "der die und in den von zu das mit sich des auf fur ist im dem nicht ein eine als auch es an werden aus er hat dass sie nach wird bei einer um am sind noch wie einem uber einen so zum war haben nur oder aber vor zur bis mehr durch man sehr ich du wir ihr mein danke ja nein gut heute schon mal kann wenn was wer dann jetzt hier";
const CA: &str = "de la i el que a les en l per un es no amb una del els al com mes pero ho hi ja molt tambe aquest aquesta seu seva son fer ser gracies bon dia avui nosaltres vosaltres jo tu ell ella doncs perque tot res sempre encara fins aixo pel pels als dels meu meva teu teva vull estic tinc som sou";

fn table() -> &'static HashKeyed<[f32; 7]> {
    static T: OnceLock<HashKeyed<[f32; 7]>> = OnceLock::new();
    T.get_or_init(|| {
        let mut m: HashKeyed<[f32; 7]> = HashKeyed::default();
        for (li, list) in [ES, EN, PT, FR, IT, DE, CA].iter().enumerate() {
            for w in list.split_whitespace() {
                m.entry(term_hash(w)).or_insert([0.0; 7])[li] = 1.0;
            }
        }
        for v in m.values_mut() {
            let n: f32 = v.iter().sum();
            for x in v.iter_mut() {
                *x /= n;
            }
        }
        m
    })
}

fn detector() -> &'static whatlang::Detector {
    static D: OnceLock<whatlang::Detector> = OnceLock::new();
    D.get_or_init(|| {
        whatlang::Detector::with_allowlist(vec![
            whatlang::Lang::Spa,
            whatlang::Lang::Eng,
            whatlang::Lang::Por,
            whatlang::Lang::Fra,
            whatlang::Lang::Ita,
            whatlang::Lang::Deu,
            whatlang::Lang::Cat,
        ])
    })
}

/// Detects the language of a normalised text (`raw` is used for the fallback detector).
pub fn detect(doc: &NormalizedText, raw: &str) -> &'static str {
    let t = table();
    let mut s = [0f32; 7];
    let mut words = 0usize;
    let mut alpha_words = 0usize;
    for (w, f, h) in doc.iter_hashed() {
        if f & (SPECIAL | EMOJI | HASHTAG) != 0 {
            continue;
        }
        words += 1;
        if w.chars().any(char::is_alphabetic) {
            alpha_words += 1;
        }
        if let Some(v) = t.get(&h) {
            for (a, b) in s.iter_mut().zip(v) {
                *a += b;
            }
        }
    }
    let m = &doc.marks;
    let f = |i: usize| f32::from(m[i].min(3));
    s[0] += 1.5 * f(mark::ENYE) + 2.0 * f(mark::INVERTED) + 0.3 * f(mark::ACUTE);
    s[2] += 2.0 * f(mark::TILDE_VOWEL)
        + 0.7 * f(mark::CEDILLA)
        + 0.3 * f(mark::ACUTE)
        + 0.3 * f(mark::CIRCUMFLEX);
    s[3] += 0.7 * f(mark::CEDILLA) + 0.5 * f(mark::GRAVE) + 0.7 * f(mark::CIRCUMFLEX);
    s[4] += 0.6 * f(mark::GRAVE);
    s[5] += 2.0 * f(mark::GERMAN);
    s[6] += 0.7 * f(mark::GRAVE)
        + 2.0 * f(mark::MIDDOT)
        + 0.5 * f(mark::CEDILLA)
        + 0.2 * f(mark::ACUTE);
    // Spanish-first prior: ties and near-ties go to es, then en.
    s[0] += 0.3;
    s[1] += 0.15;
    let mut best = 0;
    for i in 1..7 {
        if s[i] > s[best] {
            best = i;
        }
    }
    let second = s
        .iter()
        .enumerate()
        .filter(|&(i, _)| i != best)
        .map(|(_, &v)| v)
        .fold(0.0, f32::max);
    if alpha_words == 0 {
        return "und";
    }
    if s[best] >= 1.0 && s[best] - second >= 0.6 {
        return LANGS[best];
    }
    // Spanish or English clearly ahead of the others: no need for the slower detector.
    if best <= 1 && s[best] >= 0.9 && s[best] - second >= 0.45 {
        return LANGS[best];
    }
    if doc.letters >= 12 && words >= 2 {
        // Fallback: whatlang on the words only.
        let mut clean = String::with_capacity(raw.len().min(1024));
        for (w, f) in doc.iter() {
            if f & (SPECIAL | EMOJI) == 0 {
                clean.push_str(w);
                clean.push(' ');
            }
            if clean.len() > 1000 {
                break;
            }
        }
        if let Some(info) = detector().detect(&clean) {
            let code = match info.lang() {
                whatlang::Lang::Spa => "es",
                whatlang::Lang::Eng => "en",
                whatlang::Lang::Por => "pt",
                whatlang::Lang::Fra => "fr",
                whatlang::Lang::Ita => "it",
                whatlang::Lang::Deu => "de",
                whatlang::Lang::Cat => "ca",
                _ => "und",
            };
            let strong = info.confidence() >= 0.5;
            if code == "es" || code == "en" || strong {
                return code;
            }
            return if s[0] >= s[1] { "es" } else { "en" };
        }
    }
    if s[best] >= 0.5 && s[best] - second >= 0.3 {
        return LANGS[best];
    }
    "und"
}

/// Sets [`Enrichment::lang`] from the detection made while preparing the [`Doc`].
pub struct Language;

impl Enricher for Language {
    fn name(&self) -> &'static str {
        "language"
    }

    fn enrich(&self, doc: &Doc<'_>, out: &mut Enrichment) {
        out.lang.clear();
        out.lang.push_str(doc.lang);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::normalize::normalize;

    fn d(s: &str) -> &'static str {
        detect(&normalize(s), s)
    }

    #[test]
    fn detects_the_seven_languages() {
        assert_eq!(
            d("@Iberia graciaaaas por todo, sois los mejores #MalServicio https://t.co/x"),
            "es"
        );
        assert_eq!(d("¿Alguien sabe cuándo abre la tienda?"), "es");
        assert_eq!(d("@united thanks for nothing, my bag is lost again"), "en");
        assert_eq!(
            d("Não sei o que fazer com isso, você pode me ajudar?"),
            "pt"
        );
        assert_eq!(
            d("Je ne sais pas ce qu'il faut faire, merci pour votre aide"),
            "fr"
        );
        assert_eq!(d("Non so cosa fare, grazie per il vostro aiuto"), "it");
        assert_eq!(
            d("Ich weiß nicht, was ich tun soll, danke für die Hilfe"),
            "de"
        );
        assert_eq!(
            d("No sé què fer, moltes gràcies per la vostra ajuda amb això"),
            "ca"
        );
    }

    #[test]
    fn too_short_or_empty_is_und() {
        assert_eq!(d(""), "und");
        assert_eq!(d("😂😂😂 https://t.co/x @user"), "und");
        assert_eq!(d("123"), "und");
    }
}
