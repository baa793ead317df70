//! Writes `src/app/conversations/reading_aids/zh_phrases.tsv` from a phrase-pinyin-data
//! `pinyin.txt` (lines `词语: cí yǔ`): only the phrases whose reading differs from the
//! per-character default that `reading_aids::mandarin` gives (so the table stays small), with
//! 一 and 不 in their citation tones (the aids show tone sandhi as written).
//!
//! `cargo run --example zh_phrase_table -- path/to/pinyin.txt > src/app/conversations/reading_aids/zh_phrases.tsv`

use std::io::{BufRead, Write};

use pinyin::ToPinyin;

fn main() -> std::io::Result<()> {
    let path = std::env::args()
        .nth(1)
        .expect("usage: zh_phrase_table PINYIN_TXT");
    let file = std::io::BufReader::new(std::fs::File::open(path)?);
    let mut rows = Vec::new();
    for line in file.lines() {
        let line = line?;
        let Some((phrase, reading)) = line.split_once(": ") else {
            continue;
        };
        let chars: Vec<char> = phrase.chars().collect();
        let syllables: Vec<&str> = reading.split_whitespace().collect();
        if chars.len() < 2 || chars.len() != syllables.len() {
            continue;
        }
        let wanted: Vec<String> = chars
            .iter()
            .zip(&syllables)
            .map(|(c, s)| match c {
                '一' => "yī".to_owned(),
                '不' => "bù".to_owned(),
                _ => (*s).to_owned(),
            })
            .collect();
        let default: Vec<String> = chars
            .iter()
            .map(|c| {
                c.to_pinyin()
                    .map(|p| p.with_tone().to_owned())
                    .unwrap_or_default()
            })
            .collect();
        if default.iter().any(String::is_empty) || wanted == default {
            continue;
        }
        rows.push(format!("{phrase}\t{}", wanted.join(" ")));
    }
    rows.sort();
    let mut out = std::io::stdout().lock();
    writeln!(
        out,
        "# phrase-pinyin-data (MIT, see zh_phrases.LICENSE): phrases whose reading differs from the per-character default"
    )?;
    for row in rows {
        writeln!(out, "{row}")?;
    }
    Ok(())
}
