//! Reading aids computed locally, with no download (the dictionaries are compiled in):
//! Japanese furigana and romaji from a morphological analysis (`japanese`, IPADIC), Mandarin
//! pinyin with word readings and grammatical polyphones (`mandarin`), Korean Revised
//! Romanization after the sound changes (`korean`), and simple romanizations of Cyrillic,
//! Devanagari and Arabic. Pure functions: a message's aids are computed once, when it is
//! stored, and again only by the `recompute_reading_aids` job when [`VERSION`] changes.

pub mod japanese;
pub mod korean;
pub mod mandarin;

use wana_kana::ConvertJapanese;

/// The version of the rules the stored aids were computed with (`messages.aids_version`):
/// raise it when a change should recompute the aids of stored messages.
pub const VERSION: i32 = 1;

/// Starts what is slow to load (the Japanese dictionary) on a background thread.
pub fn warm_up() {
    japanese::warm_up();
}

/// The reading aids of one message, for the `messages` columns.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ReadingAids {
    pub romanization: Option<String>,
    pub pinyin: Option<String>,
    pub hiragana: Option<String>,
    pub katakana: Option<String>,
    pub kanji: Option<String>,
    /// `<ruby>` pairs (base, reading) as JSON, for Japanese and Mandarin.
    pub ruby: Option<String>,
}

/// The languages whose messages get reading aids (ruby or a romanization line).
pub const WITH_AIDS: [&str; 6] = ["ja", "zh", "ko", "ru", "hi", "ar"];

/// Whether messages in `language` get reading aids (the page offers the toggle only then).
pub fn has_aids(language: &str) -> bool {
    WITH_AIDS.contains(&language)
}

/// Computes what the language needs; Latin-script languages get nothing.
pub fn annotate(language: &str, text: &str) -> ReadingAids {
    match language {
        "zh" => {
            let pairs = mandarin::ruby_pairs(text);
            let pinyin = pairs
                .iter()
                .map(|(c, p)| if p.is_empty() { c.as_str() } else { p.as_str() })
                .collect::<Vec<_>>()
                .join(" ");
            ReadingAids {
                romanization: Some(mandarin::romanization(&pairs)),
                pinyin: Some(pinyin),
                ruby: Some(ruby_json(&pairs)),
                ..Default::default()
            }
        }
        "ja" => {
            let kanji: String = text.chars().filter(|c| japanese::is_kanji(*c)).collect();
            let morphemes = japanese::analyse(text);
            let hiragana: String = morphemes
                .iter()
                .map(|m| {
                    if m.surface
                        .chars()
                        .any(|c| japanese::is_kanji(c) || c.is_ascii_digit())
                    {
                        japanese::hiragana(&m.reading)
                    } else {
                        japanese::hiragana(&m.surface)
                    }
                })
                .collect();
            ReadingAids {
                romanization: Some(japanese::romaji_of(&morphemes)),
                katakana: Some(hiragana.to_katakana()),
                hiragana: Some(hiragana),
                kanji: (!kanji.is_empty()).then_some(kanji),
                ruby: Some(ruby_json(&japanese::furigana_of(&morphemes))),
                ..Default::default()
            }
        }
        "ko" => ReadingAids {
            romanization: Some(korean_romanization(text)),
            ..Default::default()
        },
        "ru" => ReadingAids {
            romanization: Some(cyrillic_romanization(text)),
            ..Default::default()
        },
        "hi" => ReadingAids {
            romanization: Some(devanagari_romanization(text)),
            ..Default::default()
        },
        "ar" => ReadingAids {
            romanization: Some(arabic_romanization(text)),
            ..Default::default()
        },
        _ => ReadingAids::default(),
    }
}

fn ruby_json(pairs: &[(String, String)]) -> String {
    serde_json::to_string(pairs).unwrap_or_default()
}

/// The stored `<ruby>` pairs of a message; empty when there are none (or they are unreadable).
pub fn parse_ruby(stored: Option<&str>) -> Vec<(String, String)> {
    stored
        .and_then(|s| serde_json::from_str(s).ok())
        .unwrap_or_default()
}

/// Pinyin with tone marks, one entry per character, separated by spaces; characters
/// without a reading (punctuation, Latin) are kept as they are.
pub fn mandarin_pinyin(text: &str) -> String {
    mandarin::ruby_pairs(text)
        .iter()
        .map(|(c, p)| if p.is_empty() { c.as_str() } else { p.as_str() })
        .collect::<Vec<_>>()
        .join(" ")
}

/// Pairs of (text, reading) for `<ruby>`; readings are empty where there is none.
pub fn ruby_pairs(text: &str, language: &str) -> Vec<(String, String)> {
    match language {
        "zh" => mandarin::ruby_pairs(text),
        "ja" => japanese::furigana(text),
        _ => vec![(text.to_owned(), String::new())],
    }
}

/// Japanese as (run, furigana) pairs: see [`japanese::furigana`].
pub fn furigana(text: &str) -> Vec<(String, String)> {
    japanese::furigana(text)
}

/// Revised Romanization of Korean: see [`korean::romanize`].
pub fn korean_romanization(text: &str) -> String {
    korean::romanize(text)
}

/// A simple scholarly-style romanization of Russian Cyrillic.
pub fn cyrillic_romanization(text: &str) -> String {
    let map = |c: char| -> Option<&'static str> {
        Some(match c.to_lowercase().next()? {
            'а' => "a",
            'б' => "b",
            'в' => "v",
            'г' => "g",
            'д' => "d",
            'е' => "e",
            'ё' => "yo",
            'ж' => "zh",
            'з' => "z",
            'и' => "i",
            'й' => "y",
            'к' => "k",
            'л' => "l",
            'м' => "m",
            'н' => "n",
            'о' => "o",
            'п' => "p",
            'р' => "r",
            'с' => "s",
            'т' => "t",
            'у' => "u",
            'ф' => "f",
            'х' => "kh",
            'ц' => "ts",
            'ч' => "ch",
            'ш' => "sh",
            'щ' => "shch",
            'ъ' => "",
            'ы' => "y",
            'ь' => "'",
            'э' => "e",
            'ю' => "yu",
            'я' => "ya",
            _ => return None,
        })
    };
    text.chars()
        .map(|c| match map(c) {
            Some(latin) if c.is_uppercase() => {
                let mut s = latin.chars();
                s.next()
                    .map(|f| f.to_uppercase().collect::<String>() + s.as_str())
                    .unwrap_or_default()
            }
            Some(latin) => latin.to_owned(),
            None => c.to_string(),
        })
        .collect()
}

/// A simplified ISO 15919-style romanization of Hindi (Devanagari): consonants carry an
/// inherent "a" unless a vowel sign or virama follows; a word-final inherent "a" is dropped.
pub fn devanagari_romanization(text: &str) -> String {
    fn consonant(c: char) -> Option<&'static str> {
        Some(match c {
            'क' => "k",
            'ख' => "kh",
            'ग' => "g",
            'घ' => "gh",
            'ङ' => "ṅ",
            'च' => "c",
            'छ' => "ch",
            'ज' => "j",
            'झ' => "jh",
            'ञ' => "ñ",
            'ट' => "ṭ",
            'ठ' => "ṭh",
            'ड' => "ḍ",
            'ढ' => "ḍh",
            'ण' => "ṇ",
            'त' => "t",
            'थ' => "th",
            'द' => "d",
            'ध' => "dh",
            'न' => "n",
            'प' => "p",
            'फ' => "ph",
            'ब' => "b",
            'भ' => "bh",
            'म' => "m",
            'य' => "y",
            'र' => "r",
            'ल' => "l",
            'व' => "v",
            'श' => "ś",
            'ष' => "ṣ",
            'स' => "s",
            'ह' => "h",
            _ => return None,
        })
    }
    fn vowel(c: char) -> Option<&'static str> {
        Some(match c {
            'अ' => "a",
            'आ' => "ā",
            'इ' => "i",
            'ई' => "ī",
            'उ' => "u",
            'ऊ' => "ū",
            'ऋ' => "r̥",
            'ए' => "e",
            'ऐ' => "ai",
            'ओ' => "o",
            'औ' => "au",
            _ => return None,
        })
    }
    fn sign(c: char) -> Option<&'static str> {
        Some(match c {
            'ा' => "ā",
            'ि' => "i",
            'ी' => "ī",
            'ु' => "u",
            'ू' => "ū",
            'ृ' => "r̥",
            'े' => "e",
            'ै' => "ai",
            'ो' => "o",
            'ौ' => "au",
            '्' => "",
            _ => return None,
        })
    }
    let chars: Vec<char> = text.chars().collect();
    let mut out = String::new();
    for (i, &c) in chars.iter().enumerate() {
        if let Some(k) = consonant(c) {
            out.push_str(k);
            let next = chars.get(i + 1).copied();
            let followed_by_sign = next.is_some_and(|n| sign(n).is_some() || n == '़');
            let word_end = next.is_none_or(|n| {
                !(consonant(n).is_some() || sign(n).is_some() || matches!(n, 'ं' | 'ँ' | 'ः'))
            });
            if !followed_by_sign && !word_end {
                out.push('a');
            }
        } else if let Some(v) = vowel(c).or_else(|| sign(c)) {
            out.push_str(v);
        } else {
            match c {
                'ं' | 'ँ' => out.push('ṁ'),
                'ः' => out.push('ḥ'),
                '़' => {}
                '।' => out.push('.'),
                other => out.push(other),
            }
        }
    }
    out
}

/// A simple romanization of Arabic letters (unvocalized text: short vowels are not written,
/// so they are not guessed).
pub fn arabic_romanization(text: &str) -> String {
    text.chars()
        .map(|c| {
            match c {
                'ا' | 'أ' | 'إ' | 'آ' => "a",
                'ب' => "b",
                'ت' => "t",
                'ث' => "th",
                'ج' => "j",
                'ح' => "ḥ",
                'خ' => "kh",
                'د' => "d",
                'ذ' => "dh",
                'ر' => "r",
                'ز' => "z",
                'س' => "s",
                'ش' => "sh",
                'ص' => "ṣ",
                'ض' => "ḍ",
                'ط' => "ṭ",
                'ظ' => "ẓ",
                'ع' => "ʿ",
                'غ' => "gh",
                'ف' => "f",
                'ق' => "q",
                'ك' => "k",
                'ل' => "l",
                'م' => "m",
                'ن' => "n",
                'ه' => "h",
                'و' => "w",
                'ي' | 'ى' => "y",
                'ة' => "a",
                'ء' | 'ئ' | 'ؤ' => "ʾ",
                '؟' => "?",
                '،' => ",",
                'َ' => "a",
                'ُ' => "u",
                'ِ' => "i",
                'ْ' | 'ّ' | 'ً' | 'ٌ' | 'ٍ' => "",
                other => return other.to_string(),
            }
            .to_owned()
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mandarin_gets_pinyin_with_tone_marks() {
        assert_eq!(mandarin_pinyin("你好"), "nǐ hǎo");
        assert_eq!(mandarin_pinyin("我要一杯咖啡。"), "wǒ yào yī bēi kā fēi 。");
        let pairs = ruby_pairs("中文", "zh");
        assert_eq!(
            pairs,
            vec![("中".into(), "zhōng".into()), ("文".into(), "wén".into())]
        );
    }

    #[test]
    fn japanese_gets_furigana_over_kanji_romaji_and_kana_forms() {
        let aids = annotate("ja", "初めてですか。大阪の豚骨ラーメンをください。");
        assert_eq!(
            aids.hiragana.as_deref(),
            Some("はじめてですか。おおさかのとんこつらーめんをください。")
        );
        assert!(aids
            .romanization
            .as_deref()
            .unwrap()
            .to_lowercase()
            .contains("hajimete"));
        assert_eq!(aids.kanji.as_deref(), Some("初大阪豚骨"));
        let pairs = furigana("初めて大阪へ行きます");
        let expected: Vec<(String, String)> = [
            ("初", "はじ"),
            ("めて", ""),
            ("大阪", "おおさか"),
            ("へ", ""),
            ("行", "い"),
            ("きます", ""),
        ]
        .iter()
        .map(|(a, b)| (a.to_string(), b.to_string()))
        .collect();
        assert_eq!(pairs, expected);
    }

    #[test]
    fn korean_is_romanized_after_its_sound_changes() {
        assert_eq!(korean_romanization("안녕하세요"), "annyeonghaseyo");
        assert_eq!(korean_romanization("감사합니다!"), "gamsahamnida!");
    }

    #[test]
    fn hindi_and_arabic_are_romanized() {
        assert_eq!(devanagari_romanization("नमस्ते"), "namaste");
        assert_eq!(devanagari_romanization("भारत"), "bhārat");
        assert_eq!(arabic_romanization("مرحبا"), "mrḥba");
        assert_eq!(
            annotate("hi", "धन्यवाद").romanization.as_deref(),
            Some("dhanyavād")
        );
    }

    #[test]
    fn russian_is_romanized_and_latin_languages_get_nothing() {
        assert_eq!(cyrillic_romanization("Привет, мир"), "Privet, mir");
        assert_eq!(annotate("es", "Hola"), ReadingAids::default());
    }
}
