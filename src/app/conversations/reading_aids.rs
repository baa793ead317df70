//! Reading aids computed locally, with no dictionary download (the dictionaries are compiled
//! in): pinyin for Mandarin (per character, for `<ruby>`), furigana over kanji, romaji and
//! hiragana/katakana forms for Japanese (kakasi), Revised Romanization for Korean, and a
//! romanization of Cyrillic. Pure functions.

use pinyin::ToPinyin;
use wana_kana::ConvertJapanese;

/// The reading aids of one message, for the `messages` columns.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ReadingAids {
    pub romanization: Option<String>,
    pub pinyin: Option<String>,
    pub hiragana: Option<String>,
    pub katakana: Option<String>,
    pub kanji: Option<String>,
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
            let pinyin = mandarin_pinyin(text);
            ReadingAids {
                romanization: Some(
                    pinyin
                        .split(' ')
                        .filter(|s| !s.is_empty())
                        .collect::<Vec<_>>()
                        .join(" "),
                ),
                pinyin: Some(pinyin),
                ..Default::default()
            }
        }
        "ja" => {
            let kanji: String = text.chars().filter(|c| is_kanji(*c)).collect();
            let converted = kakasi::convert(text);
            ReadingAids {
                romanization: Some(converted.romaji),
                katakana: Some(converted.hiragana.to_katakana()),
                hiragana: Some(converted.hiragana),
                kanji: (!kanji.is_empty()).then_some(kanji),
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

fn is_kanji(c: char) -> bool {
    ('\u{4E00}'..='\u{9FFF}').contains(&c) || ('\u{3400}'..='\u{4DBF}').contains(&c)
}

/// Pinyin with tone marks, one entry per character, separated by spaces; characters
/// without a reading (punctuation, Latin) are kept as they are.
pub fn mandarin_pinyin(text: &str) -> String {
    text.chars()
        .map(|c| match c.to_pinyin() {
            Some(p) => p.with_tone().to_owned(),
            None => c.to_string(),
        })
        .collect::<Vec<_>>()
        .join(" ")
}

/// Pairs of (character, reading) for `<ruby>`; readings are empty where there is none.
pub fn ruby_pairs(text: &str, language: &str) -> Vec<(String, String)> {
    match language {
        "zh" => text
            .chars()
            .map(|c| {
                (
                    c.to_string(),
                    c.to_pinyin()
                        .map(|p| p.with_tone().to_owned())
                        .unwrap_or_default(),
                )
            })
            .collect(),
        "ja" => furigana(text),
        _ => vec![(text.to_owned(), String::new())],
    }
}

fn is_hiragana(c: char) -> bool {
    ('\u{3041}'..='\u{309F}').contains(&c)
}

/// Japanese text as (run, furigana) pairs: each run of kanji gets its reading, read with
/// its okurigana so that 初めて gives はじ over 初; kana and punctuation get none.
pub fn furigana(text: &str) -> Vec<(String, String)> {
    let chars: Vec<char> = text.chars().collect();
    let mut out: Vec<(String, String)> = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        if is_kanji(chars[i]) {
            let start = i;
            while i < chars.len() && is_kanji(chars[i]) {
                i += 1;
            }
            let run: String = chars[start..i].iter().collect();
            let okurigana: String = chars[i..]
                .iter()
                .take_while(|c| is_hiragana(**c))
                .take(4)
                .collect();
            let with_okurigana = kakasi::convert(format!("{run}{okurigana}")).hiragana;
            let reading = match with_okurigana.strip_suffix(okurigana.as_str()) {
                Some(r) if !okurigana.is_empty() && !r.is_empty() => r.to_owned(),
                _ => kakasi::convert(&run).hiragana,
            };
            out.push((run, reading));
        } else {
            let start = i;
            while i < chars.len() && !is_kanji(chars[i]) {
                i += 1;
            }
            out.push((chars[start..i].iter().collect(), String::new()));
        }
    }
    out
}

const INITIALS: [&str; 19] = [
    "g", "kk", "n", "d", "tt", "r", "m", "b", "pp", "s", "ss", "", "j", "jj", "ch", "k", "t", "p",
    "h",
];
const MEDIALS: [&str; 21] = [
    "a", "ae", "ya", "yae", "eo", "e", "yeo", "ye", "o", "wa", "wae", "oe", "yo", "u", "wo", "we",
    "wi", "yu", "eu", "ui", "i",
];
const FINALS: [&str; 28] = [
    "", "k", "k", "k", "n", "n", "n", "t", "l", "k", "m", "l", "l", "l", "p", "l", "m", "p", "p",
    "t", "t", "ng", "t", "t", "k", "t", "p", "t",
];

/// Revised Romanization of Korean, syllable by syllable (without sound-change rules).
pub fn korean_romanization(text: &str) -> String {
    let mut out = String::new();
    for c in text.chars() {
        let code = c as u32;
        if (0xAC00..=0xD7A3).contains(&code) {
            let index = code - 0xAC00;
            let (initial, medial, last) = (
                (index / 588) as usize,
                ((index % 588) / 28) as usize,
                (index % 28) as usize,
            );
            out.push_str(INITIALS[initial]);
            out.push_str(MEDIALS[medial]);
            out.push_str(FINALS[last]);
        } else {
            out.push(c);
        }
    }
    out
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
    fn korean_is_romanized_syllable_by_syllable() {
        assert_eq!(korean_romanization("안녕하세요"), "annyeonghaseyo");
        assert_eq!(korean_romanization("감사합니다!"), "gamsahapnida!");
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
