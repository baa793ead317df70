//! How the offline partner weighs a learner's answer without understanding it: the answer
//! and what the partner's line expects (its suggested replies and key words) are brought to
//! one written form — Japanese to hiragana (kanji read by kakasi, romaji typed by the learner
//! converted), Mandarin to toneless pinyin, everything else lower-cased without accents or
//! punctuation — and compared by shared letter pairs (a Dice coefficient). Pure functions.

use pinyin::ToPinyin;
use unicode_normalization::UnicodeNormalization;
use wana_kana::ConvertJapanese;

/// What the partner can honestly tell about an answer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verdict {
    /// Close to a suggested reply (or containing one): the partner may say it was good.
    Strong,
    /// Near a suggested reply, or using the line's key words: the partner moves on, no praise.
    Near,
    /// The learner asks to hear the line again, or says they did not understand.
    Repeat,
    /// Hesitation only ("えーと…", "um"), or nothing the partner can weigh.
    Filler,
    /// Nothing the partner recognises.
    Miss,
}

impl Verdict {
    /// Whether the partner takes the answer and moves on.
    pub fn moves_on(self) -> bool {
        matches!(self, Verdict::Strong | Verdict::Near)
    }
}

/// A Dice coefficient from here up is a strong match.
const STRONG: f64 = 0.8;
/// From here up (and below [`STRONG`]) a near match.
const NEAR: f64 = 0.5;

/// Weighs `answer` (in `language`) against the `expected` replies and the `keywords`.
///
/// why: remembered (by a 64-bit hash of everything weighed, up to `KEPT` verdicts): the
/// conversation page replays every answer of a conversation on each view.
pub fn judge(language: &str, answer: &str, expected: &[&str], keywords: &[&str]) -> Verdict {
    use std::collections::HashMap;
    use std::hash::{Hash, Hasher};
    use std::sync::{Mutex, OnceLock};
    static MEMO: OnceLock<Mutex<HashMap<u64, Verdict>>> = OnceLock::new();
    // why: FxHash, not SipHash: every view of a conversation hashes each of its answers
    // with what they were weighed against, and SipHash was a tenth of the page's time.
    let mut hasher = rustc_hash::FxHasher::default();
    (language, answer, expected, keywords).hash(&mut hasher);
    let key = hasher.finish();
    let memo = MEMO.get_or_init(Default::default);
    if let Some(v) = memo.lock().unwrap_or_else(|e| e.into_inner()).get(&key) {
        return *v;
    }
    let verdict = weigh(language, answer, expected, keywords);
    let mut kept = memo.lock().unwrap_or_else(|e| e.into_inner());
    if kept.len() >= KEPT {
        kept.clear();
    }
    kept.insert(key, verdict);
    verdict
}

/// How many normalised texts and verdicts are remembered before starting over.
const KEPT: usize = 50_000;

fn weigh(language: &str, answer: &str, expected: &[&str], keywords: &[&str]) -> Verdict {
    let text = normalised(language, answer);
    let content = without_fillers(language, &text);
    let squeezed = squeeze(&content);
    let best = expected
        .iter()
        .map(|e| squeeze(&normalised(language, e)))
        .filter(|e| !e.is_empty())
        .map(|e| {
            if squeezed.contains(&e) {
                1.0
            } else {
                dice(&squeezed, &e)
            }
        })
        .fold(0.0, f64::max);
    // why: a suggested reply wins over everything, even one that asks to hear it again
    // (an authored line may expect exactly that).
    if best >= STRONG {
        return Verdict::Strong;
    }
    if is_repeat_request(language, &text) || is_repeat_request("en", &normalise("en", answer)) {
        return Verdict::Repeat;
    }
    if squeezed.chars().count() < 2 {
        return Verdict::Filler;
    }
    let keyword = keywords
        .iter()
        .map(|k| squeeze(&normalised(language, k)))
        .any(|k| k.chars().count() >= 2 && squeezed.contains(&k));
    if best >= NEAR || keyword {
        Verdict::Near
    } else {
        Verdict::Miss
    }
}

/// [`normalise`], remembered (up to `KEPT` texts, then it starts over).
///
/// why: the conversation page replays every answer of a conversation against the same
/// authored lines on each view, and reading Japanese through kakasi costs tens of
/// microseconds a text: a 50-message conversation took milliseconds.
fn normalised(language: &str, text: &str) -> String {
    use std::collections::HashMap;
    use std::sync::{Mutex, OnceLock};
    static MEMO: OnceLock<Mutex<HashMap<String, String>>> = OnceLock::new();
    let memo = MEMO.get_or_init(Default::default);
    let key = format!("{language}\0{text}");
    if let Some(found) = memo.lock().unwrap_or_else(|e| e.into_inner()).get(&key) {
        return found.clone();
    }
    let value = normalise(language, text);
    let mut kept = memo.lock().unwrap_or_else(|e| e.into_inner());
    if kept.len() >= KEPT {
        kept.clear();
    }
    kept.insert(key, value.clone());
    value
}

/// One written form for comparing: see the module comment. Words stay apart by one space.
pub fn normalise(language: &str, text: &str) -> String {
    let base = language.split('-').next().unwrap_or(language);
    let text: String = text.nfkc().collect::<String>().to_lowercase();
    let text = match base {
        "ja" => {
            let kana = if text.is_ascii() {
                text.to_hiragana()
            } else {
                text
            };
            kakasi::convert(&kana).hiragana.to_hiragana()
        }
        "zh" => text
            .chars()
            .map(|c| match c.to_pinyin() {
                Some(p) => format!(" {} ", p.plain()),
                None => c.to_string(),
            })
            .collect(),
        _ => text,
    };
    let bare: String = text
        .nfd()
        .filter(|c| !('\u{300}'..='\u{36f}').contains(c))
        .nfc()
        .map(|c| if c.is_alphanumeric() { c } else { ' ' })
        .collect();
    bare.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// The text without spaces (Japanese and Mandarin answers are written without them).
fn squeeze(text: &str) -> String {
    text.chars().filter(|c| !c.is_whitespace()).collect()
}

/// The Dice coefficient of two texts' letter pairs (a multiset), 0–1.
fn dice(a: &str, b: &str) -> f64 {
    let pairs = |s: &str| {
        let chars: Vec<char> = s.chars().collect();
        let mut v: Vec<(char, char)> = chars.windows(2).map(|w| (w[0], w[1])).collect();
        v.sort_unstable();
        v
    };
    let (a, b) = (pairs(a), pairs(b));
    if a.is_empty() || b.is_empty() {
        return 0.0;
    }
    let (mut i, mut j, mut common) = (0, 0, 0);
    while i < a.len() && j < b.len() {
        match a[i].cmp(&b[j]) {
            std::cmp::Ordering::Equal => {
                common += 1;
                i += 1;
                j += 1;
            }
            std::cmp::Ordering::Less => i += 1,
            std::cmp::Ordering::Greater => j += 1,
        }
    }
    2.0 * common as f64 / (a.len() + b.len()) as f64
}

/// Hesitation words, already normalised (Japanese in hiragana).
fn fillers(language: &str) -> &'static [&'static str] {
    match language.split('-').next().unwrap_or(language) {
        "ja" => &[
            "えーと",
            "えっと",
            "ええと",
            "えと",
            "あのー",
            "あの",
            "あれ",
            "うーん",
            "うん",
            "んー",
            "えー",
            "まあ",
        ],
        "es" => &[
            "eh", "ehh", "em", "este", "pues", "mmm", "mm", "bueno", "ah",
        ],
        "fr" => &["euh", "heu", "ben", "bah", "hum", "bon", "alors", "ah"],
        "zh" => &["en", "e", "nage", "zhege"],
        _ => &["um", "uh", "er", "erm", "hmm", "mm", "ah"],
    }
}

/// The normalised text with hesitation words (and runs of one letter, "mmmm") taken out.
fn without_fillers(language: &str, text: &str) -> String {
    let list = fillers(language);
    // why: whole words only (Japanese words end at punctuation, which normalising turned
    // into spaces): "あれ" is a filler, "アレルギー" is not.
    let rest = text
        .split_whitespace()
        .filter(|w| !list.contains(w) && !w.chars().all(|c| c == 'ー'))
        .collect::<Vec<_>>()
        .join(" ");
    rest.split_whitespace()
        .filter(|w| {
            let mut chars = w.chars();
            let first = chars.next();
            w.chars().count() < 3 || !chars.all(|c| Some(c) == first)
        })
        .collect::<Vec<_>>()
        .join(" ")
}

/// Whether the (normalised) text asks for the line again or says it was not understood.
fn is_repeat_request(language: &str, text: &str) -> bool {
    let squeezed = squeeze(text);
    let phrases: &[&str] = match language.split('-').next().unwrap_or(language) {
        "ja" => &[
            "もういちど",
            "もいちど",
            "わかりません",
            "わからない",
            "しりません",
            "ゆっくり",
        ],
        "es" => &[
            "otra vez",
            "no entiendo",
            "no entendi",
            "no se",
            "repite",
            "repita",
            "mas despacio",
        ],
        "fr" => &[
            "encore une fois",
            "je ne comprends pas",
            "je comprends pas",
            "je ne sais pas",
            "je sais pas",
            "repeter",
            "repetez",
            "pardon",
            "plus lentement",
        ],
        "de" => &[
            "noch einmal",
            "nochmal",
            "verstehe nicht",
            "wie bitte",
            "weiss nicht",
        ],
        "it" => &["di nuovo", "non capisco", "non lo so", "ripet"],
        "pt" => &["de novo", "nao entendi", "nao entendo", "nao sei", "repet"],
        "zh" => &["zai shuo", "ting bu dong", "bu dong", "bu zhi dao"],
        "ko" => &["다시", "모르겠", "천천히"],
        _ => &[],
    };
    let english = [
        "again",
        "repeat",
        "dont understand",
        "don t understand",
        "do not understand",
        "dont know",
        "don t know",
        "sorry",
        "pardon",
        "slowly",
    ];
    // why: a request to repeat is short; a longer answer that contains "no sé" or "again"
    // is an answer.
    if text.split_whitespace().count() > 6 || squeezed.chars().count() > 24 {
        return false;
    }
    let words = |p: &str| {
        if matches!(language.split('-').next(), Some("ja" | "ko")) {
            squeezed.contains(&squeeze(p))
        } else {
            contains_words(text, p)
        }
    };
    phrases.iter().any(|p| words(p)) || english.iter().any(|p| contains_words(text, p))
}

/// Whether `text` holds the words of `phrase` in order, as whole words.
fn contains_words(text: &str, phrase: &str) -> bool {
    format!(" {text} ").contains(&format!(" {phrase} "))
}

#[cfg(test)]
mod tests {
    use super::*;

    const FROM: [&str; 2] = ["イギリスから来ました。", "アメリカ出身です。"];

    #[test]
    fn normalising_brings_scripts_case_accents_and_punctuation_to_one_form() {
        assert_eq!(
            normalise("ja", "イギリスから来ました。"),
            "いぎりすからきました"
        );
        assert_eq!(
            normalise("ja", "igirisu kara kimashita"),
            "いぎりす から きました"
        );
        assert_eq!(normalise("es", "¿De dónde ERES?"), "de donde eres");
        assert_eq!(normalise("fr", "Très bien !"), "tres bien");
        assert_eq!(normalise("zh", "你好！"), "ni hao");
    }

    #[test]
    fn a_suggested_reply_in_any_script_is_a_strong_match() {
        assert_eq!(
            judge("ja", "イギリスから来ました", &FROM, &[]),
            Verdict::Strong
        );
        assert_eq!(
            judge("ja", "いぎりすからきました！", &FROM, &[]),
            Verdict::Strong
        );
        assert_eq!(
            judge("ja", "igirisu kara kimashita", &FROM, &[]),
            Verdict::Strong
        );
        assert_eq!(
            judge("es", "soy de espana", &["Soy de España."], &[]),
            Verdict::Strong
        );
    }

    #[test]
    fn the_same_structure_with_other_words_is_a_near_match() {
        assert_eq!(
            judge("ja", "フランスから来ました。", &FROM, &[]),
            Verdict::Near
        );
        assert_eq!(
            judge(
                "es",
                "Soy de México, de la capital",
                &["Soy de España."],
                &["soy de"]
            ),
            Verdict::Near
        );
        assert_eq!(
            judge("ja", "出身はカナダ", &FROM, &["出身"]),
            Verdict::Near,
            "a key word is enough to move on"
        );
    }

    #[test]
    fn nonsense_and_hesitation_are_not_matches() {
        assert_eq!(
            judge("ja", "ばなな ぴかぴか", &FROM, &["出身"]),
            Verdict::Miss
        );
        assert_eq!(
            judge("ja", "えーと…あれ…はい", &FROM, &["出身"]),
            Verdict::Miss
        );
        assert_eq!(judge("ja", "えーと…", &FROM, &[]), Verdict::Filler);
        assert_eq!(
            judge("es", "mmm... eh", &["Soy de España."], &[]),
            Verdict::Filler
        );
        assert_eq!(judge("es", "?!", &["Soy de España."], &[]), Verdict::Filler);
        assert_eq!(
            judge("es", "xqzt blorf", &["Soy de España."], &["soy de"]),
            Verdict::Miss
        );
    }

    #[test]
    fn asking_again_or_saying_so_is_a_repeat_request() {
        assert_eq!(
            judge("ja", "もう一度お願いします", &FROM, &[]),
            Verdict::Repeat
        );
        assert_eq!(judge("ja", "わかりません", &FROM, &[]), Verdict::Repeat);
        assert_eq!(
            judge("es", "No sé...", &["Soy de España."], &[]),
            Verdict::Repeat
        );
        assert_eq!(
            judge("fr", "Pardon ?", &["Je viens de France."], &[]),
            Verdict::Repeat
        );
        assert_eq!(
            judge("ja", "I do not understand", &FROM, &[]),
            Verdict::Repeat
        );
    }
}
