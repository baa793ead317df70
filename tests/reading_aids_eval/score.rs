//! Scores reading aids against the hand-checked references in this folder (`ja.tsv`,
//! `zh.tsv`, `ko.tsv`). Shared by `tests/it/reading_aids_eval.rs` (which asserts the targets)
//! and `benches/reading_aids.rs` (which prints before/after figures).

#![allow(dead_code)]

pub const JA: &str = include_str!("ja.tsv");
pub const ZH: &str = include_str!("zh.tsv");
pub const KO: &str = include_str!("ko.tsv");

/// The characters counted as common polyphones in Mandarin.
pub const POLYPHONES: &str =
    "得地了还长只种教行重觉的着为都好要乐便少大会差几看空分相和假处场数干那说没给";

fn rows(tsv: &'static str) -> impl Iterator<Item = Vec<&'static str>> {
    tsv.lines()
        .filter(|l| !l.starts_with('#') && !l.trim().is_empty())
        .map(|l| l.split('\t').collect())
}

/// Right / counted, as a percentage.
#[derive(Debug, Default, Clone, Copy)]
pub struct Ratio {
    pub right: usize,
    pub total: usize,
}

impl Ratio {
    fn add(&mut self, ok: bool) {
        self.total += 1;
        self.right += usize::from(ok);
    }
    pub fn percent(&self) -> f64 {
        if self.total == 0 {
            return 0.0;
        }
        100.0 * self.right as f64 / self.total as f64
    }
}

impl std::fmt::Display for Ratio {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{:5.1} % ({}/{})",
            self.percent(),
            self.right,
            self.total
        )
    }
}

/// Letters only, lower case (macrons and the n' apostrophe kept): spacing, hyphens and
/// punctuation do not count.
pub fn letters(s: &str) -> String {
    s.chars()
        .filter(|c| c.is_alphabetic() || *c == '\'')
        .flat_map(char::to_lowercase)
        .collect()
}

/// Words in lower case, hyphens as word breaks, punctuation dropped.
pub fn words(s: &str) -> Vec<String> {
    s.split(|c: char| c.is_whitespace() || c == '-')
        .map(letters)
        .filter(|w| !w.is_empty())
        .collect()
}

#[derive(Debug, Default)]
pub struct Japanese {
    pub sentences: Ratio,
    pub sentences_spaced: Ratio,
    pub particles: Ratio,
    pub kanji_runs: Ratio,
    pub misses: Vec<String>,
}

fn is_kanji(c: char) -> bool {
    ('\u{4E00}'..='\u{9FFF}').contains(&c) || c == '々' || ('\u{3400}'..='\u{4DBF}').contains(&c)
}

/// The kanji runs of furigana pairs, with their readings (adjacent kanji pieces joined).
fn kanji_runs(pairs: &[(String, String)]) -> Vec<(String, String)> {
    let mut runs: Vec<(String, String)> = Vec::new();
    let mut joining = false;
    for (base, reading) in pairs {
        // A piece may mix kana and kanji when the aligner could not split it: split here.
        let all_kanji = !base.is_empty() && base.chars().all(is_kanji);
        if all_kanji {
            match runs.last_mut() {
                Some(last) if joining => {
                    last.0.push_str(base);
                    last.1.push_str(reading);
                }
                _ => runs.push((base.clone(), reading.clone())),
            }
            joining = true;
        } else {
            if base.chars().any(is_kanji) {
                runs.push((base.clone(), format!("?{reading}")));
            }
            joining = base.chars().last().is_some_and(is_kanji);
        }
    }
    runs
}

pub fn japanese(
    romaji: impl Fn(&str) -> String,
    furigana: impl Fn(&str) -> Vec<(String, String)>,
) -> Japanese {
    let mut s = Japanese::default();
    for row in rows(JA) {
        let (text, reference, runs, particles) = (row[0], row[1], row[2], row[3]);
        let got = romaji(text);
        let ok = letters(&got) == letters(reference);
        s.sentences.add(ok);
        s.sentences_spaced.add(words(&got) == words(reference));
        if !ok {
            s.misses
                .push(format!("ja  {text}\n    want {reference}\n    got  {got}"));
        }
        // Particles: the romaji of the text up to each particle ends with wa / e / o.
        let flags: Vec<char> = if particles == "none" {
            Vec::new()
        } else {
            particles.chars().collect()
        };
        let positions: Vec<usize> = text
            .char_indices()
            .filter(|(_, c)| matches!(c, 'は' | 'へ' | 'を'))
            .map(|(i, c)| i + c.len_utf8())
            .collect();
        assert_eq!(flags.len(), positions.len(), "particle flags of {text}");
        for (flag, end) in flags.iter().zip(positions) {
            if *flag != 'P' {
                continue;
            }
            let prefix = &text[..end];
            let read = letters(&romaji(prefix));
            let ok = match prefix.chars().last() {
                Some('は') => read.ends_with("wa"),
                Some('へ') => read.ends_with('e') && !read.ends_with("he"),
                _ => read.ends_with('o') && !read.ends_with("wo"),
            };
            s.particles.add(ok);
        }
        // Kanji runs.
        let want: Vec<(String, String)> = if runs == "none" {
            Vec::new()
        } else {
            runs.split(' ')
                .map(|r| {
                    let (k, v) = r.split_once('=').expect("run=reading");
                    (k.to_owned(), v.to_owned())
                })
                .collect()
        };
        let text_runs: Vec<String> = text
            .split(|c: char| !is_kanji(c))
            .filter(|r| !r.is_empty())
            .map(str::to_owned)
            .collect();
        assert_eq!(
            want.iter().map(|(k, _)| k.clone()).collect::<Vec<_>>(),
            text_runs,
            "kanji runs of {text}"
        );
        let got_runs = kanji_runs(&furigana(text));
        for (k, v) in &want {
            let ok = got_runs.iter().any(|(gk, gv)| gk == k && gv == v);
            s.kanji_runs.add(ok);
            if !ok {
                s.misses
                    .push(format!("ja  {text}: {k} want {v}, got {got_runs:?}"));
            }
        }
    }
    s
}

#[derive(Debug, Default)]
pub struct Mandarin {
    pub characters: Ratio,
    pub polyphones: Ratio,
    pub sentences: Ratio,
    pub misses: Vec<String>,
}

pub fn mandarin(pinyin: impl Fn(&str) -> Vec<(String, String)>) -> Mandarin {
    let mut s = Mandarin::default();
    for row in rows(ZH) {
        let (text, reference) = (row[0], row[1]);
        let want: Vec<&str> = reference.split(' ').collect();
        let hanzi: Vec<char> = text
            .chars()
            .filter(|c| ('\u{4E00}'..='\u{9FFF}').contains(c))
            .collect();
        assert_eq!(hanzi.len(), want.len(), "syllables of {text}");
        let got: Vec<String> = pinyin(text)
            .into_iter()
            .filter(|(c, _)| c.chars().all(|c| ('\u{4E00}'..='\u{9FFF}').contains(&c)))
            .map(|(_, p)| p)
            .collect();
        let mut all = got.len() == want.len();
        for (i, (c, w)) in hanzi.iter().zip(&want).enumerate() {
            let ok = got.get(i).is_some_and(|g| g == w);
            all &= ok;
            s.characters.add(ok);
            if POLYPHONES.contains(*c) {
                s.polyphones.add(ok);
            }
        }
        s.sentences.add(all);
        if !all {
            s.misses.push(format!(
                "zh  {text}\n    want {reference}\n    got  {}",
                got.join(" ")
            ));
        }
    }
    s
}

#[derive(Debug, Default)]
pub struct Korean {
    pub sentences: Ratio,
    pub misses: Vec<String>,
}

pub fn korean(romanize: impl Fn(&str) -> String) -> Korean {
    let mut s = Korean::default();
    for row in rows(KO) {
        let (text, reference) = (row[0], row[1]);
        let got = romanize(text);
        let ok = words(&got) == words(reference);
        s.sentences.add(ok);
        if !ok {
            s.misses
                .push(format!("ko  {text}\n    want {reference}\n    got  {got}"));
        }
    }
    s
}
