//! Reading aids before and after, in one run: accuracy on `tests/reading_aids_eval/` for the
//! previous rules (kakasi, per-character pinyin, syllable-by-syllable Korean, copied below) and
//! the current ones, the time per Japanese sentence, and the resident memory after the first
//! Japanese message. `cargo bench --bench reading_aids`

#[path = "../tests/reading_aids_eval/score.rs"]
mod score;

use std::time::Instant;

use kaiwa::app::conversations::reading_aids::{japanese, korean, mandarin};

/// The rules before IPADIC (main at 35b83a3), for comparison.
mod before {
    use pinyin::ToPinyin;

    pub fn romaji(text: &str) -> String {
        kakasi::convert(text).romaji
    }

    fn is_kanji(c: char) -> bool {
        ('\u{4E00}'..='\u{9FFF}').contains(&c) || ('\u{3400}'..='\u{4DBF}').contains(&c)
    }

    pub fn furigana(text: &str) -> Vec<(String, String)> {
        let chars: Vec<char> = text.chars().collect();
        let mut out = Vec::new();
        let mut i = 0;
        while i < chars.len() {
            let start = i;
            if is_kanji(chars[i]) {
                while i < chars.len() && is_kanji(chars[i]) {
                    i += 1;
                }
                let run: String = chars[start..i].iter().collect();
                let okurigana: String = chars[i..]
                    .iter()
                    .take_while(|c| ('\u{3041}'..='\u{309F}').contains(*c))
                    .take(4)
                    .collect();
                let with = kakasi::convert(format!("{run}{okurigana}")).hiragana;
                let reading = match with.strip_suffix(okurigana.as_str()) {
                    Some(r) if !okurigana.is_empty() && !r.is_empty() => r.to_owned(),
                    _ => kakasi::convert(&run).hiragana,
                };
                out.push((run, reading));
            } else {
                while i < chars.len() && !is_kanji(chars[i]) {
                    i += 1;
                }
                out.push((chars[start..i].iter().collect(), String::new()));
            }
        }
        out
    }

    pub fn pinyin(text: &str) -> Vec<(String, String)> {
        text.chars()
            .map(|c| {
                let p = c.to_pinyin().map(|p| p.with_tone().to_owned());
                (c.to_string(), p.unwrap_or_default())
            })
            .collect()
    }

    const INITIALS: [&str; 19] = [
        "g", "kk", "n", "d", "tt", "r", "m", "b", "pp", "s", "ss", "", "j", "jj", "ch", "k", "t",
        "p", "h",
    ];
    const MEDIALS: [&str; 21] = [
        "a", "ae", "ya", "yae", "eo", "e", "yeo", "ye", "o", "wa", "wae", "oe", "yo", "u", "wo",
        "we", "wi", "yu", "eu", "ui", "i",
    ];
    const FINALS: [&str; 28] = [
        "", "k", "k", "k", "n", "n", "n", "t", "l", "k", "m", "l", "l", "l", "p", "l", "m", "p",
        "p", "t", "t", "ng", "t", "t", "k", "t", "p", "t",
    ];

    pub fn korean(text: &str) -> String {
        let mut out = String::new();
        for c in text.chars() {
            let code = c as u32;
            if (0xAC00..=0xD7A3).contains(&code) {
                let i = code - 0xAC00;
                out.push_str(INITIALS[(i / 588) as usize]);
                out.push_str(MEDIALS[((i % 588) / 28) as usize]);
                out.push_str(FINALS[(i % 28) as usize]);
            } else {
                out.push(c);
            }
        }
        out
    }
}

fn rss_kb() -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmRSS:"))
                .and_then(|l| l.split_whitespace().nth(1).and_then(|n| n.parse().ok()))
        })
        .unwrap_or(0)
}

fn per_sentence(f: impl Fn(&str) -> String) -> f64 {
    let sentences: Vec<&str> = score::JA
        .lines()
        .filter(|l| !l.starts_with('#'))
        .filter_map(|l| l.split('\t').next())
        .collect();
    let rounds = 20;
    let start = Instant::now();
    for _ in 0..rounds {
        for s in &sentences {
            std::hint::black_box(f(s));
        }
    }
    start.elapsed().as_secs_f64() * 1e6 / (rounds * sentences.len()) as f64
}

fn main() {
    let rss_start = rss_kb();
    let t = Instant::now();
    std::hint::black_box(before::romaji("今日は大阪へ行きます。"));
    let (before_first, rss_before) = (t.elapsed(), rss_kb());
    let t = Instant::now();
    std::hint::black_box(japanese::romaji("今日は大阪へ行きます。"));
    let (after_first, rss_after) = (t.elapsed(), rss_kb());

    let b_ja = score::japanese(before::romaji, before::furigana);
    let a_ja = score::japanese(japanese::romaji, japanese::furigana);
    let b_zh = score::mandarin(before::pinyin);
    let a_zh = score::mandarin(mandarin::ruby_pairs);
    let b_ko = score::korean(before::korean);
    let a_ko = score::korean(korean::romanize);
    println!("{:<38} {:>22} {:>22}", "", "before", "after");
    for (name, b, a) in [
        (
            "Japanese romaji, whole sentence",
            b_ja.sentences,
            a_ja.sentences,
        ),
        (
            "Japanese romaji, with word breaks",
            b_ja.sentences_spaced,
            a_ja.sentences_spaced,
        ),
        (
            "Japanese particles は/へ/を",
            b_ja.particles,
            a_ja.particles,
        ),
        (
            "Japanese furigana, kanji runs",
            b_ja.kanji_runs,
            a_ja.kanji_runs,
        ),
        (
            "Mandarin characters with tone",
            b_zh.characters,
            a_zh.characters,
        ),
        (
            "Mandarin common polyphones",
            b_zh.polyphones,
            a_zh.polyphones,
        ),
        ("Mandarin whole sentence", b_zh.sentences, a_zh.sentences),
        ("Korean RR, whole sentence", b_ko.sentences, a_ko.sentences),
    ] {
        println!("{name:<38} {:>22} {:>22}", b.to_string(), a.to_string());
    }
    println!(
        "first Japanese message: before {:.1} ms (+{} KB RSS), after {:.1} ms (+{} KB RSS); RSS now {} KB",
        before_first.as_secs_f64() * 1e3,
        rss_before.saturating_sub(rss_start),
        after_first.as_secs_f64() * 1e3,
        rss_after.saturating_sub(rss_before),
        rss_after
    );
    println!(
        "per Japanese sentence (romaji): before {:.1} µs, after {:.1} µs",
        per_sentence(before::romaji),
        per_sentence(japanese::romaji)
    );
}
