//! Japanese reading aids from a morphological analysis: the text is cut into morphemes with
//! IPADIC (vendored in `vendor/ipadic/`, compiled into `vibrato`'s form by `build.rs`), then
//! romaji is spelt from each morpheme's pronunciation (modified Hepburn: particles as
//! pronounced, long vowels with macrons, っ doubled, ん before a vowel as n'), with a space
//! between words, and furigana is placed over the kanji of each morpheme only (okurigana stay
//! bare). Numbers with their counters, 何 and compounds the dictionary does not know (read
//! with kakasi) get their own rules; `ja_user.csv` adds the seed scenarios' key words.

use std::sync::OnceLock;

use vibrato::{Dictionary, Tokenizer};
use wana_kana::ConvertJapanese;

/// IPADIC with `ja_user.csv` (the words the seed scenarios need that IPADIC lacks or reads
/// otherwise), compiled by `build.rs` into vibrato's binary form, zstd-compressed.
static DICTIONARY: &[u8] = include_bytes!(concat!(env!("OUT_DIR"), "/ipadic.dic.zst"));

static TOKENIZER: OnceLock<Tokenizer> = OnceLock::new();

/// Loads the dictionary on a background thread, so that the first Japanese message does not
/// wait for it (a fifth of a second in a release build). Calling it again does nothing.
pub fn warm_up() {
    if TOKENIZER.get().is_none() {
        std::thread::spawn(|| {
            tokenizer();
        });
    }
}

fn tokenizer() -> &'static Tokenizer {
    // why: the dictionary is compiled into the binary, so failing to load it is a build bug
    // (a unit test loads it), not a run-time condition to handle.
    TOKENIZER.get_or_init(|| {
        let binary = zstd::Decoder::new(DICTIONARY).expect("the embedded dictionary decompresses");
        Tokenizer::new(Dictionary::read(binary).expect("the embedded dictionary reads"))
    })
}

/// One morpheme with what the aids need of IPADIC's features.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Morpheme {
    pub surface: String,
    /// Part of speech and its first two subdivisions (`名詞`, `接尾`, `助数詞`).
    pub pos: [String; 3],
    /// Conjugation type (`特殊・デス`), `*` when none.
    pub conjugation: String,
    /// Reading as spelt, in katakana (は as ハ).
    pub reading: String,
    /// Reading as pronounced, in katakana (は as ワ, 東京 as トーキョー).
    pub pronunciation: String,
    /// Ruby for the surface when a rule computed it (numbers with counters).
    ruby: Option<Vec<(String, String)>>,
}

impl Morpheme {
    fn is(&self, pos: &str) -> bool {
        self.pos[0] == pos
    }
    fn is2(&self, pos: &str, sub: &str) -> bool {
        self.pos[0] == pos && self.pos[1] == sub
    }
}

/// Cuts `text` into morphemes and applies the rules for unknown compounds, numbers with
/// counters and 何. The surfaces, joined, give back `text`.
pub fn analyse(text: &str) -> Vec<Morpheme> {
    let tokenizer = tokenizer();
    let mut worker = tokenizer.new_worker();
    worker.reset_sentence(text);
    worker.tokenize();
    let mut out = Vec::with_capacity(worker.num_tokens());
    for i in 0..worker.num_tokens() {
        let token = worker.token(i);
        out.push(morpheme(token.surface(), token.feature()));
    }
    let out = split_topic_wa(out);
    let out = join_unknown_compounds(out);
    let out = join_numbers(out);
    read_nani(out)
}

fn morpheme(surface: &str, feature: &str) -> Morpheme {
    let f: Vec<&str> = feature.split(',').collect();
    let field = |i: usize| f.get(i).copied().unwrap_or("*").to_owned();
    let mut m = Morpheme {
        surface: surface.to_owned(),
        pos: [field(0), field(1), field(2)],
        conjugation: field(4),
        reading: field(7),
        pronunciation: field(8),
        ruby: None,
    };
    if f.len() < 9 || m.reading == "*" {
        // An unknown word: kana read as written, kanji with kakasi, anything else as is.
        let reading = if surface.chars().any(is_kanji) {
            long_vowels(&kakasi::convert(surface).hiragana.to_katakana())
        } else {
            surface.to_katakana()
        };
        m.reading = reading.clone();
        m.pronunciation = long_vowels(&reading);
    }
    m
}

/// Whether `c` is a kanji (or the repetition mark 々 and ヶ, which furigana covers too).
pub fn is_kanji(c: char) -> bool {
    ('\u{4E00}'..='\u{9FFF}').contains(&c)
        || ('\u{3400}'..='\u{4DBF}').contains(&c)
        || ('\u{F900}'..='\u{FAFF}').contains(&c)
        || c == '々'
        || c == 'ヶ'
}

fn is_kana(c: char) -> bool {
    ('\u{3041}'..='\u{309F}').contains(&c) || ('\u{30A1}'..='\u{30FA}').contains(&c) || c == 'ー'
}

/// After a noun, a kana verb spelt はい… is the particle は and いる (袋はいりますか is 袋 は
/// 要ります, not 袋 入ります): IPADIC prefers the one long word.
fn split_topic_wa(ms: Vec<Morpheme>) -> Vec<Morpheme> {
    let mut out: Vec<Morpheme> = Vec::with_capacity(ms.len());
    for m in ms {
        let after_noun = out.last().is_some_and(|p| p.is("名詞"));
        if after_noun && m.is("動詞") && m.surface.starts_with("はい") {
            out.push(Morpheme {
                surface: "は".into(),
                pos: ["助詞".into(), "係助詞".into(), "*".into()],
                conjugation: "*".into(),
                reading: "ハ".into(),
                pronunciation: "ワ".into(),
                ruby: None,
            });
            let strip = |s: &str| s.chars().skip(1).collect::<String>();
            out.push(Morpheme {
                surface: strip(&m.surface),
                reading: strip(&m.reading),
                pronunciation: strip(&m.pronunciation),
                ..m
            });
        } else {
            out.push(m);
        }
    }
    out
}

/// A run of one-kanji nouns (豚 + 骨) is a compound IPADIC does not know: kakasi, whose
/// dictionary has more compounds, reads it whole (とんこつ rather than ぶたぼね).
fn join_unknown_compounds(ms: Vec<Morpheme>) -> Vec<Morpheme> {
    let single_kanji_noun = |m: &Morpheme| {
        m.is("名詞")
            && m.pos[1] != "数"
            && m.pos[2] != "助数詞"
            && m.pos[1] != "固有名詞"
            && m.surface.chars().count() == 1
            && m.surface.chars().all(is_kanji)
    };
    let mut out: Vec<Morpheme> = Vec::with_capacity(ms.len());
    let mut i = 0;
    while i < ms.len() {
        let mut j = i;
        while j < ms.len() && single_kanji_noun(&ms[j]) {
            j += 1;
        }
        if j - i >= 2 {
            let surface: String = ms[i..j].iter().map(|m| m.surface.as_str()).collect();
            let reading = long_vowels(&kakasi::convert(&surface).hiragana.to_katakana());
            out.push(Morpheme {
                surface,
                pos: ["名詞".into(), "一般".into(), "*".into()],
                conjugation: "*".into(),
                pronunciation: reading.clone(),
                reading,
                ruby: None,
            });
            i = j;
        } else {
            out.push(ms[i].clone());
            i += 1;
        }
    }
    out
}

/// Writes the Sino-Japanese long vowels of a reading as ー (キュウ → キュー, トオ → トー).
fn long_vowels(katakana: &str) -> String {
    let mut out: Vec<char> = Vec::new();
    for c in katakana.chars() {
        let prev_vowel = out.last().and_then(|p| vowel_of(*p));
        let long = match c {
            'ウ' => matches!(prev_vowel, Some('o') | Some('u')),
            'オ' => prev_vowel == Some('o'),
            _ => false,
        };
        out.push(if long { 'ー' } else { c });
    }
    out.into_iter().collect()
}

fn vowel_of(c: char) -> Option<char> {
    let romaji = mora(&c.to_string())?;
    romaji.chars().last().filter(|v| "aiueo".contains(*v))
}

// ---------------------------------------------------------------------------------------
// Numbers and counters

fn digit_value(c: char) -> Option<u64> {
    Some(match c {
        '0' | '０' | '〇' | '零' => 0,
        '1' | '１' | '一' => 1,
        '2' | '２' | '二' => 2,
        '3' | '３' | '三' => 3,
        '4' | '４' | '四' => 4,
        '5' | '５' | '五' => 5,
        '6' | '６' | '六' => 6,
        '7' | '７' | '七' => 7,
        '8' | '８' | '八' => 8,
        '9' | '９' | '九' => 9,
        _ => return None,
    })
}

fn unit_value(c: char) -> Option<u64> {
    Some(match c {
        '十' => 10,
        '百' => 100,
        '千' => 1000,
        '万' => 10_000,
        '億' => 100_000_000,
        _ => return None,
    })
}

fn is_numeral(c: char) -> bool {
    digit_value(c).is_some() || unit_value(c).is_some() || c == ',' || c == '，'
}

/// The value of a written number: digits (1,000), kanji (三千五百) or both (3万).
fn number_value(s: &str) -> Option<u64> {
    let mut total: u64 = 0; // completed 万/億 groups
    let mut group: u64 = 0; // below 万
    let mut digits: Option<u64> = None; // a run of digits being read
    for c in s.chars() {
        if c == ',' || c == '，' {
            continue;
        }
        if let Some(d) = digit_value(c) {
            digits = Some(digits.unwrap_or(0).checked_mul(10)?.checked_add(d)?);
        } else if let Some(u) = unit_value(c) {
            let n = digits.take().unwrap_or(1);
            if u >= 10_000 {
                total = total.checked_add((group + n).checked_mul(u)?)?;
                group = 0;
                if n == 1 && group == 0 && s.starts_with(c) {
                    // 万 alone
                }
            } else {
                group += n.checked_mul(u)?;
            }
        } else {
            return None;
        }
    }
    Some(total + group + digits.unwrap_or(0))
}

const DIGITS: [&str; 10] = [
    "ゼロ",
    "イチ",
    "ニ",
    "サン",
    "ヨン",
    "ゴ",
    "ロク",
    "ナナ",
    "ハチ",
    "キュウ",
];

/// The spoken parts of a number (三百五 → [サン, ビャク, ゴ]), in katakana.
fn number_parts(n: u64) -> Vec<String> {
    if n == 0 {
        return vec!["ゼロ".into()];
    }
    let mut parts = Vec::new();
    let mut rest = n;
    for (unit, name) in [(100_000_000u64, "オク"), (10_000, "マン")] {
        let q = rest / unit;
        if q > 0 {
            parts.extend(below_10000(q));
            parts.push(name.into());
            rest %= unit;
        }
    }
    parts.extend(below_10000(rest));
    parts
}

fn below_10000(n: u64) -> Vec<String> {
    let mut parts: Vec<String> = Vec::new();
    let (th, hu, te, one) = (n / 1000, n / 100 % 10, n / 10 % 10, n % 10);
    match th {
        0 => {}
        1 => parts.push("セン".into()),
        3 => parts.extend(["サン".into(), "ゼン".into()]),
        8 => parts.extend(["ハッ".into(), "セン".into()]),
        d => parts.extend([DIGITS[d as usize].into(), "セン".into()]),
    }
    match hu {
        0 => {}
        1 => parts.push("ヒャク".into()),
        3 => parts.extend(["サン".into(), "ビャク".into()]),
        6 => parts.extend(["ロッ".into(), "ピャク".into()]),
        8 => parts.extend(["ハッ".into(), "ピャク".into()]),
        d => parts.extend([DIGITS[d as usize].into(), "ヒャク".into()]),
    }
    match te {
        0 => {}
        1 => parts.push("ジュウ".into()),
        d => parts.extend([DIGITS[d as usize].into(), "ジュウ".into()]),
    }
    if one > 0 {
        parts.push(DIGITS[one as usize].into());
    }
    parts
}

/// How a counter changes the number before it.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Sound {
    /// No change (枚, 台, 番).
    Plain,
    /// 1, 6, 8, 10 double and h becomes p; 3 and 何 turn h into b (本, 杯, 匹).
    H,
    /// Like [`Sound::H`] but 3 and 4 and 何 give p (分, 泊).
    HP,
    /// 1, 6, 8, 10 double before k (個, 回, 階 — 3 gives g for 階 and 軒).
    K,
    /// 1, 8, 10 double before s, sh, t, ch (冊, 歳, 週間, 通, 着).
    S,
}

struct Counter {
    surface: &'static str,
    reading: &'static str,
    sound: Sound,
    /// The counter's voiced reading after 3 and 何, when it has one (階 → ガイ).
    after_three: Option<&'static str>,
}

const COUNTERS: &[Counter] = &[
    c("本", "ホン", Sound::H, Some("ボン")),
    c("杯", "ハイ", Sound::H, Some("バイ")),
    c("匹", "ヒキ", Sound::H, Some("ビキ")),
    c("品", "ヒン", Sound::H, Some("ピン")),
    c("分", "フン", Sound::HP, Some("プン")),
    c("泊", "ハク", Sound::HP, Some("パク")),
    c("個", "コ", Sound::K, None),
    c("回", "カイ", Sound::K, None),
    c("階", "カイ", Sound::K, Some("ガイ")),
    c("軒", "ケン", Sound::K, Some("ゲン")),
    c("ヶ月", "カゲツ", Sound::K, None),
    c("か月", "カゲツ", Sound::K, None),
    c("カ月", "カゲツ", Sound::K, None),
    c("課", "カ", Sound::K, None),
    c("曲", "キョク", Sound::K, None),
    c("冊", "サツ", Sound::S, None),
    c("歳", "サイ", Sound::S, None),
    c("才", "サイ", Sound::S, None),
    c("週間", "シュウカン", Sound::S, None),
    c("週", "シュウ", Sound::S, None),
    c("足", "ソク", Sound::S, Some("ゾク")),
    c("通", "ツウ", Sound::S, None),
    c("着", "チャク", Sound::S, None),
    c("点", "テン", Sound::S, None),
    c("頭", "トウ", Sound::S, None),
    c("枚", "マイ", Sound::Plain, None),
    c("台", "ダイ", Sound::Plain, None),
    c("番線", "バンセン", Sound::Plain, None),
    c("番目", "バンメ", Sound::Plain, None),
    c("番", "バン", Sound::Plain, None),
    c("号室", "ゴウシツ", Sound::Plain, None),
    c("号", "ゴウ", Sound::Plain, None),
    c("名", "メイ", Sound::Plain, None),
    c("度", "ド", Sound::Plain, None),
    c("倍", "バイ", Sound::Plain, None),
    c("秒", "ビョウ", Sound::Plain, None),
    c("錠", "ジョウ", Sound::Plain, None),
    c("円", "エン", Sound::Plain, None),
    c("人", "ニン", Sound::Plain, None),
    c("時間", "ジカン", Sound::Plain, None),
    c("時", "ジ", Sound::Plain, None),
    c("月", "ガツ", Sound::Plain, None),
    c("年", "ネン", Sound::Plain, None),
    c("日間", "ニチカン", Sound::Plain, None),
    c("日", "ニチ", Sound::Plain, None),
    c("つ", "", Sound::Plain, None),
    c("皿", "サラ", Sound::Plain, None),
    c("曜日", "ヨウビ", Sound::Plain, None),
    c("ドル", "ドル", Sound::Plain, None),
    c("キロ", "キロ", Sound::Plain, None),
    c("メートル", "メートル", Sound::Plain, None),
    c("パーセント", "パーセント", Sound::Plain, None),
];

const fn c(
    surface: &'static str,
    reading: &'static str,
    sound: Sound,
    after_three: Option<&'static str>,
) -> Counter {
    Counter {
        surface,
        reading,
        sound,
        after_three,
    }
}

/// Native readings: 一つ…十, 一人, 二人, and the days of the month.
fn special_reading(n: Option<u64>, counter: &str) -> Option<&'static str> {
    let n = n?;
    Some(match (counter, n) {
        ("皿", 1) => "ヒトサラ",
        ("皿", 2) => "フタサラ",
        ("つ", 1) => "ヒトツ",
        ("つ", 2) => "フタツ",
        ("つ", 3) => "ミッツ",
        ("つ", 4) => "ヨッツ",
        ("つ", 5) => "イツツ",
        ("つ", 6) => "ムッツ",
        ("つ", 7) => "ナナツ",
        ("つ", 8) => "ヤッツ",
        ("つ", 9) => "ココノツ",
        ("人", 1) => "ヒトリ",
        ("人", 2) => "フタリ",
        ("人", 4) => "ヨニン",
        ("時", 4) => "ヨジ",
        ("時", 7) => "シチジ",
        ("時", 9) => "クジ",
        ("時間", 4) => "ヨジカン",
        ("時間", 9) => "クジカン",
        ("月", 4) => "シガツ",
        ("月", 7) => "シチガツ",
        ("月", 9) => "クガツ",
        ("円", 4) => "ヨエン",
        ("年", 4) => "ヨネン",
        ("歳", 20) | ("才", 20) => "ハタチ",
        ("日", 2) => "フツカ",
        ("日", 3) => "ミッカ",
        ("日", 4) => "ヨッカ",
        ("日", 5) => "イツカ",
        ("日", 6) => "ムイカ",
        ("日", 7) => "ナノカ",
        ("日", 8) => "ヨウカ",
        ("日", 9) => "ココノカ",
        ("日", 10) => "トオカ",
        ("日", 14) => "ジュウヨッカ",
        ("日", 20) => "ハツカ",
        ("日", 24) => "ニジュウヨッカ",
        ("日間", 2) => "フツカカン",
        ("日間", 3) => "ミッカカン",
        ("日間", 4) => "ヨッカカン",
        ("日間", 5) => "イツカカン",
        ("日間", 6) => "ムイカカン",
        ("日間", 7) => "ナノカカン",
        ("日間", 8) => "ヨウカカン",
        ("日間", 10) => "トオカカン",
        _ => return None,
    })
}

/// The reading of a number (`None`: 何) with its counter, in katakana.
fn counted_reading(n: Option<u64>, counter: &Counter) -> String {
    if let Some(r) = special_reading(n, counter.surface) {
        return r.to_owned();
    }
    let mut parts = match n {
        Some(n) => number_parts(n),
        None => vec!["ナン".to_owned()],
    };
    let last = parts.pop().unwrap_or_default();
    let geminates = |p: &str| -> Option<&'static str> {
        Some(match p {
            "イチ" => "イッ",
            "ロク" => "ロッ",
            "ハチ" => "ハッ",
            "ジュウ" => "ジュッ",
            "ヒャク" => "ヒャッ",
            _ => return None,
        })
    };
    let voiced = counter.after_three.unwrap_or(counter.reading);
    let (number, reading) = match counter.sound {
        Sound::H | Sound::HP => {
            let p = p_form(counter.reading);
            match (last.as_str(), geminates(&last)) {
                ("サン" | "ナン", _) => (last.clone(), voiced.to_owned()),
                ("ヨン", _) if counter.sound == Sound::HP => (last.clone(), p),
                (_, Some(g)) if last != "ロク" || counter.surface != "泊" => (g.to_owned(), p),
                _ => (last.clone(), counter.reading.to_owned()),
            }
        }
        Sound::K => match (last.as_str(), geminates(&last)) {
            ("サン" | "ナン", _) => (last.clone(), voiced.to_owned()),
            (_, Some(g)) => (g.to_owned(), counter.reading.to_owned()),
            _ => (last.clone(), counter.reading.to_owned()),
        },
        Sound::S => match last.as_str() {
            "イチ" | "ハチ" | "ジュウ" => (
                geminates(&last).unwrap_or_default().to_owned(),
                counter.reading.to_owned(),
            ),
            "サン" | "ナン" => (last.clone(), voiced.to_owned()),
            _ => (last.clone(), counter.reading.to_owned()),
        },
        Sound::Plain => (last.clone(), counter.reading.to_owned()),
    };
    parts.push(number);
    parts.push(reading);
    parts.concat()
}

/// The p-form of an h-counter (ホン → ポン, フン → プン).
fn p_form(reading: &str) -> String {
    let mut chars = reading.chars();
    let first = match chars.next() {
        Some('ハ') => 'パ',
        Some('ヒ') => 'ピ',
        Some('フ') => 'プ',
        Some('ヘ') => 'ペ',
        Some('ホ') => 'ポ',
        Some(other) => other,
        None => return String::new(),
    };
    std::iter::once(first).chain(chars).collect()
}

/// Joins a number (digits or kanji numerals, or 何) with the counter after it into one
/// morpheme read as a whole (三本 さんぼん, 3人 さんにん, 何階 なんがい).
fn join_numbers(ms: Vec<Morpheme>) -> Vec<Morpheme> {
    let mut out: Vec<Morpheme> = Vec::with_capacity(ms.len());
    let mut i = 0;
    while i < ms.len() {
        let numeric = |m: &Morpheme| !m.surface.is_empty() && m.surface.chars().all(is_numeral);
        if !numeric(&ms[i]) && ms[i].surface != "何" {
            out.push(ms[i].clone());
            i += 1;
            continue;
        }
        let start = i;
        let mut surface = String::new();
        if ms[i].surface == "何" {
            surface.push('何');
            i += 1;
        } else {
            while i < ms.len() && numeric(&ms[i]) {
                surface.push_str(&ms[i].surface);
                i += 1;
            }
        }
        let value = if surface == "何" {
            None
        } else {
            match number_value(&surface) {
                Some(v) => Some(v),
                None => {
                    out.extend(ms[start..i].iter().cloned());
                    continue;
                }
            }
        };
        // The counter: the next morpheme(s) spelling one of COUNTERS.
        let rest: String = ms[i..].iter().take(3).map(|m| m.surface.as_str()).collect();
        let counter = COUNTERS.iter().find(|c| {
            rest.starts_with(c.surface)
                && counter_ends_on_boundary(&ms[i..], c.surface)
                && !(c.surface == "つ" && value.is_none_or(|v| v > 9))
        });
        let Some(counter) = counter else {
            if value.is_none() {
                // 何 without a counter: read by read_nani.
                out.push(ms[start].clone());
                continue;
            }
            let reading = number_parts(value.unwrap_or(0)).concat();
            out.push(number_morpheme(&surface, "", &reading, None));
            continue;
        };
        let mut consumed = String::new();
        while consumed.len() < counter.surface.len() {
            consumed.push_str(&ms[i].surface);
            i += 1;
        }
        let reading = counted_reading(value, counter);
        out.push(number_morpheme(
            &surface,
            counter.surface,
            &reading,
            Some(counter),
        ));
    }
    out
}

fn counter_ends_on_boundary(ms: &[Morpheme], counter: &str) -> bool {
    let mut len = 0;
    for m in ms {
        len += m.surface.len();
        if len == counter.len() {
            return true;
        }
        if len > counter.len() {
            return false;
        }
    }
    false
}

fn number_morpheme(number: &str, counter: &str, reading: &str, c: Option<&Counter>) -> Morpheme {
    let surface = format!("{number}{counter}");
    let hiragana = reading.to_hiragana();
    let ruby = if surface.chars().all(|ch| is_kanji(ch) || is_kana(ch)) {
        // All kanji (三本): the reading over the whole run (okurigana つ left bare).
        match hiragana.strip_suffix(counter).filter(|_| counter == "つ") {
            Some(r) => vec![
                (number.to_owned(), r.to_owned()),
                (counter.to_owned(), String::new()),
            ],
            None => vec![(surface.clone(), hiragana.clone())],
        }
    } else {
        // Digits (3本): only the counter's kanji get ruby, read as the counter is read here.
        let counter_reading = c
            .map(|c| {
                let r = reading_of_counter_part(reading, c);
                r.to_hiragana()
            })
            .unwrap_or_default();
        let mut pairs = vec![(number.to_owned(), String::new())];
        if !counter.is_empty() {
            if counter.chars().any(is_kanji) && counter != "つ" {
                pairs.push((counter.to_owned(), counter_reading));
            } else {
                pairs.push((counter.to_owned(), String::new()));
            }
        }
        pairs
    };
    let pronunciation = long_vowels(reading);
    Morpheme {
        surface,
        pos: ["名詞".into(), "数".into(), "*".into()],
        conjugation: "*".into(),
        reading: reading.to_owned(),
        pronunciation,
        ruby: Some(ruby),
    }
}

/// The counter's share of a counted reading (サンボン → ボン).
fn reading_of_counter_part(reading: &str, c: &Counter) -> String {
    for r in [
        c.reading.to_owned(),
        c.after_three.unwrap_or("").to_owned(),
        p_form(c.reading),
    ] {
        if !r.is_empty() && reading.ends_with(&r) {
            return r;
        }
    }
    c.reading.to_owned()
}

/// 何 is なん before t, d and n sounds and counters (何ですか, 何の, 何人), なに elsewhere
/// (何を, 何が, 何か, 何に).
fn read_nani(mut ms: Vec<Morpheme>) -> Vec<Morpheme> {
    for i in 0..ms.len() {
        if ms[i].surface != "何" {
            continue;
        }
        let next = ms.get(i + 1).map(|m| m.reading.as_str()).unwrap_or("");
        let nan = next
            .chars()
            .next()
            .is_some_and(|c| "タダテデトドナヌネノ".contains(c));
        let reading = if nan { "ナン" } else { "ナニ" };
        ms[i].reading = reading.into();
        ms[i].pronunciation = reading.into();
    }
    ms
}

// ---------------------------------------------------------------------------------------
// Furigana

/// (base, furigana) pairs: each morpheme's reading over its kanji only; kana, Latin and
/// punctuation get an empty reading. Adjacent bare pieces are merged.
pub fn furigana(text: &str) -> Vec<(String, String)> {
    furigana_of(&analyse(text))
}

pub fn furigana_of(ms: &[Morpheme]) -> Vec<(String, String)> {
    let mut out: Vec<(String, String)> = Vec::new();
    for m in ms {
        let pairs = match &m.ruby {
            Some(r) => r.clone(),
            None if m.surface.chars().any(is_kanji) => align(&m.surface, &m.reading.to_hiragana()),
            None => vec![(m.surface.clone(), String::new())],
        };
        for (base, reading) in pairs {
            match out.last_mut() {
                Some(last) if reading.is_empty() && last.1.is_empty() => last.0.push_str(&base),
                _ => out.push((base, reading)),
            }
        }
    }
    out
}

/// Places `reading` (hiragana) over the kanji runs of `surface`, matching its kana.
fn align(surface: &str, reading: &str) -> Vec<(String, String)> {
    // Segments: (text, is_kanji).
    let mut segments: Vec<(String, bool)> = Vec::new();
    for ch in surface.chars() {
        let k = is_kanji(ch);
        match segments.last_mut() {
            Some((s, kk)) if *kk == k => s.push(ch),
            _ => segments.push((ch.to_string(), k)),
        }
    }
    let reading: Vec<char> = reading.chars().collect();
    let mut result = Vec::new();
    if assign(&segments, &reading, &mut result) {
        return result;
    }
    vec![(surface.to_owned(), reading.iter().collect())]
}

fn assign(segments: &[(String, bool)], reading: &[char], out: &mut Vec<(String, String)>) -> bool {
    let Some(((text, kanji), rest)) = segments.split_first() else {
        return reading.is_empty();
    };
    if !kanji {
        let kana: Vec<char> = text.to_hiragana().chars().collect();
        if reading.len() >= kana.len() && reading[..kana.len()] == kana[..] {
            out.push((text.clone(), String::new()));
            if assign(rest, &reading[kana.len()..], out) {
                return true;
            }
            out.pop();
        }
        return false;
    }
    // A kanji run takes at least one kana; try the shortest first when kana follow.
    for take in 1..=reading.len() {
        if rest.is_empty() && take != reading.len() {
            continue;
        }
        out.push((text.clone(), reading[..take].iter().collect()));
        if assign(rest, &reading[take..], out) {
            return true;
        }
        out.pop();
    }
    false
}

// ---------------------------------------------------------------------------------------
// Romaji

/// The romaji line: modified Hepburn from the pronunciation of each morpheme, a space
/// between words, sentences and proper nouns capitalised.
pub fn romaji(text: &str) -> String {
    romaji_of(&analyse(text))
}

/// IPADIC pronounces いいえ イーエ; Hepburn writes a long i spelt イイ as ii (iie, oishii),
/// keeping ī for katakana words (ビール).
fn spelt_long_i(reading: &str, pronunciation: &str) -> String {
    let r: Vec<char> = reading.chars().collect();
    let p: Vec<char> = pronunciation.chars().collect();
    if r.len() != p.len() {
        return pronunciation.to_owned();
    }
    p.iter()
        .zip(&r)
        .map(|(pc, rc)| {
            if *pc == 'ー' && *rc == 'イ' {
                'イ'
            } else {
                *pc
            }
        })
        .collect()
}

/// How a morpheme joins the word before it.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Join {
    /// Starts a new word.
    Space,
    /// Part of the word before (inflections, auxiliaries, suffixes).
    Attach,
    /// Honorific suffixes: Tanaka-san.
    Hyphen,
    /// Punctuation.
    Punct,
}

fn join_of(prev: Option<&Morpheme>, m: &Morpheme) -> Join {
    let Some(prev) = prev else {
        return Join::Space;
    };
    if m.is("記号") {
        return if m.pos[1] == "空白" {
            Join::Space
        } else {
            Join::Punct
        };
    }
    if m.surface
        .chars()
        .all(|c| c.is_ascii_punctuation() || "。、！？…「」『』（）・～".contains(c))
    {
        return Join::Punct;
    }
    if prev.is("接頭詞") {
        return Join::Attach;
    }
    if prev.is("記号") && "「『（".contains(prev.surface.as_str()) {
        return Join::Attach;
    }
    let after_inflecting = prev.is("動詞") || prev.is("形容詞") || prev.is("助動詞");
    match m.pos[0].as_str() {
        "助動詞" => {
            if m.conjugation.starts_with("特殊・デス") || m.conjugation.starts_with("特殊・ダ")
            {
                // です and だ are words of their own (gakusei desu), but でし + た is one.
                Join::Space
            } else if after_inflecting {
                Join::Attach
            } else {
                Join::Space
            }
        }
        "助詞" => {
            let attaches = m.pos[1] == "接続助詞"
                && matches!(
                    m.surface.as_str(),
                    "て" | "で" | "ば" | "ちゃ" | "じゃ" | "ながら" | "たり" | "だり" | "つつ"
                )
                || m.pos[1] == "並立助詞" && matches!(m.surface.as_str(), "たり" | "だり")
                || m.pos[1] == "副助詞" && matches!(m.surface.as_str(), "たり" | "だり");
            if attaches && after_inflecting {
                Join::Attach
            } else {
                Join::Space
            }
        }
        "動詞" if m.pos[1] == "接尾" => Join::Attach,
        "形容詞" if m.pos[1] == "接尾" => Join::Attach,
        "名詞" if m.pos[1] == "接尾" => {
            if m.pos[2] == "人名" {
                Join::Hyphen
            } else {
                Join::Attach
            }
        }
        "名詞" if m.pos[1] == "非自立" && m.surface == "ん" => Join::Attach,
        _ => Join::Space,
    }
}

pub fn romaji_of(ms: &[Morpheme]) -> String {
    // Words as katakana pronunciations, with how each joins the previous.
    let mut words: Vec<(Join, String, bool)> = Vec::new(); // (join, kana or text, proper)
    let mut prev: Option<&Morpheme> = None;
    for m in ms {
        let join = join_of(prev, m);
        let mut pron = if m.pronunciation.is_empty() || m.pronunciation == "*" {
            m.surface.clone()
        } else {
            spelt_long_i(&m.reading, &m.pronunciation)
        };
        // why: the volitional う (でしょう, 行こう) lengthens the vowel before it; IPADIC
        // gives it as a morpheme of its own pronounced ウ.
        if m.is("助動詞") && m.surface == "う" {
            pron = "ー".into();
        }
        let proper = m.is2("名詞", "固有名詞");
        match (join, words.last_mut()) {
            (Join::Attach, Some(last)) => last.1.push_str(&pron),
            (Join::Hyphen, Some(last)) => {
                // why: a hyphen would become ー on the way through the kana converter.
                last.1.push(HYPHEN);
                last.1.push_str(&pron);
            }
            _ => words.push((join, pron, proper)),
        }
        if m.pos[1] != "空白" {
            prev = Some(m);
        }
    }
    let mut out = String::new();
    let mut sentence_start = true;
    for (join, kana, proper) in words {
        let latin = kana_to_romaji(&kana);
        let latin = punctuation(&latin);
        if latin.trim().is_empty() {
            if join == Join::Space && !out.is_empty() && !out.ends_with(' ') {
                out.push(' ');
            }
            continue;
        }
        if join == Join::Space
            && !out.is_empty()
            && !out.ends_with(' ')
            && !out.ends_with(['(', '"', '“'])
        {
            out.push(' ');
        }
        let word = if sentence_start || proper {
            capitalise(&latin)
        } else {
            latin
        };
        if word.chars().any(|c| c.is_alphanumeric()) {
            sentence_start = false;
        }
        if word.ends_with(['.', '!', '?']) {
            sentence_start = true;
        }
        out.push_str(&word);
    }
    out.trim().to_owned()
}

/// Stands for the hyphen of honorifics until the word is in Latin letters.
const HYPHEN: char = '\u{2010}';

fn punctuation(s: &str) -> String {
    s.chars()
        .map(|c| match c {
            HYPHEN => "-".to_owned(),
            '。' => ".".to_owned(),
            '、' => ",".to_owned(),
            '！' => "!".to_owned(),
            '？' => "?".to_owned(),
            '「' | '『' => "\u{201C}".to_owned(),
            '」' | '』' => "\u{201D}".to_owned(),
            '（' => "(".to_owned(),
            '）' => ")".to_owned(),
            '・' => " ".to_owned(),
            '～' | '〜' => "~".to_owned(),
            '…' => "...".to_owned(),
            '：' => ":".to_owned(),
            '　' => " ".to_owned(),
            c if ('０'..='９').contains(&c) => {
                char::from_u32(c as u32 - '０' as u32 + '0' as u32)
                    .unwrap_or(c)
                    .to_string()
            }
            c if ('Ａ'..='Ｚ').contains(&c) || ('ａ'..='ｚ').contains(&c) => {
                char::from_u32(c as u32 - 'Ａ' as u32 + 'A' as u32)
                    .unwrap_or(c)
                    .to_string()
            }
            c => c.to_string(),
        })
        .collect()
}

fn capitalise(word: &str) -> String {
    let mut chars = word.chars();
    let mut out = String::new();
    for c in chars.by_ref() {
        if c.is_alphabetic() {
            out.extend(c.to_uppercase());
            break;
        }
        out.push(c);
    }
    out.extend(chars);
    out
}

/// Katakana to hiragana, keeping ー (ラーメン → らーめん).
pub fn hiragana(s: &str) -> String {
    s.chars()
        .map(|c| match c {
            '\u{30A1}'..='\u{30F6}' => char::from_u32(c as u32 - 0x60).unwrap_or(c),
            c => c,
        })
        .collect()
}

/// Modified Hepburn for one mora in katakana (`キャ` → `kya`), `None` for anything else.
fn mora(k: &str) -> Option<&'static str> {
    Some(match k {
        "ア" => "a",
        "イ" => "i",
        "ウ" => "u",
        "エ" => "e",
        "オ" => "o",
        "カ" => "ka",
        "キ" => "ki",
        "ク" => "ku",
        "ケ" => "ke",
        "コ" => "ko",
        "ガ" => "ga",
        "ギ" => "gi",
        "グ" => "gu",
        "ゲ" => "ge",
        "ゴ" => "go",
        "サ" => "sa",
        "シ" => "shi",
        "ス" => "su",
        "セ" => "se",
        "ソ" => "so",
        "ザ" => "za",
        "ジ" => "ji",
        "ズ" => "zu",
        "ゼ" => "ze",
        "ゾ" => "zo",
        "タ" => "ta",
        "チ" => "chi",
        "ツ" => "tsu",
        "テ" => "te",
        "ト" => "to",
        "ダ" => "da",
        "ヂ" => "ji",
        "ヅ" => "zu",
        "デ" => "de",
        "ド" => "do",
        "ナ" => "na",
        "ニ" => "ni",
        "ヌ" => "nu",
        "ネ" => "ne",
        "ノ" => "no",
        "ハ" => "ha",
        "ヒ" => "hi",
        "フ" => "fu",
        "ヘ" => "he",
        "ホ" => "ho",
        "バ" => "ba",
        "ビ" => "bi",
        "ブ" => "bu",
        "ベ" => "be",
        "ボ" => "bo",
        "パ" => "pa",
        "ピ" => "pi",
        "プ" => "pu",
        "ペ" => "pe",
        "ポ" => "po",
        "マ" => "ma",
        "ミ" => "mi",
        "ム" => "mu",
        "メ" => "me",
        "モ" => "mo",
        "ヤ" => "ya",
        "ユ" => "yu",
        "ヨ" => "yo",
        "ラ" => "ra",
        "リ" => "ri",
        "ル" => "ru",
        "レ" => "re",
        "ロ" => "ro",
        "ワ" => "wa",
        "ヰ" => "i",
        "ヱ" => "e",
        "ヲ" => "o",
        "ヴ" => "vu",
        "ァ" => "a",
        "ィ" => "i",
        "ゥ" => "u",
        "ェ" => "e",
        "ォ" => "o",
        "ャ" => "ya",
        "ュ" => "yu",
        "ョ" => "yo",
        "ヮ" => "wa",
        "キャ" => "kya",
        "キュ" => "kyu",
        "キョ" => "kyo",
        "ギャ" => "gya",
        "ギュ" => "gyu",
        "ギョ" => "gyo",
        "シャ" => "sha",
        "シュ" => "shu",
        "ショ" => "sho",
        "シェ" => "she",
        "ジャ" => "ja",
        "ジュ" => "ju",
        "ジョ" => "jo",
        "ジェ" => "je",
        "チャ" => "cha",
        "チュ" => "chu",
        "チョ" => "cho",
        "チェ" => "che",
        "ヂャ" => "ja",
        "ヂュ" => "ju",
        "ヂョ" => "jo",
        "ニャ" => "nya",
        "ニュ" => "nyu",
        "ニョ" => "nyo",
        "ヒャ" => "hya",
        "ヒュ" => "hyu",
        "ヒョ" => "hyo",
        "ビャ" => "bya",
        "ビュ" => "byu",
        "ビョ" => "byo",
        "ピャ" => "pya",
        "ピュ" => "pyu",
        "ピョ" => "pyo",
        "ミャ" => "mya",
        "ミュ" => "myu",
        "ミョ" => "myo",
        "リャ" => "rya",
        "リュ" => "ryu",
        "リョ" => "ryo",
        "ティ" => "ti",
        "ディ" => "di",
        "トゥ" => "tu",
        "ドゥ" => "du",
        "テュ" => "tyu",
        "デュ" => "dyu",
        "ファ" => "fa",
        "フィ" => "fi",
        "フェ" => "fe",
        "フォ" => "fo",
        "フュ" => "fyu",
        "ウィ" => "wi",
        "ウェ" => "we",
        "ウォ" => "wo",
        "ヴァ" => "va",
        "ヴィ" => "vi",
        "ヴェ" => "ve",
        "ヴォ" => "vo",
        "ツァ" => "tsa",
        "ツィ" => "tsi",
        "ツェ" => "tse",
        "ツォ" => "tso",
        "イェ" => "ye",
        "クァ" => "kwa",
        _ => return None,
    })
}

fn is_small(c: char) -> bool {
    "ァィゥェォャュョヮ".contains(c)
}

fn macron(v: char) -> Option<char> {
    Some(match v {
        'a' => 'ā',
        'i' => 'ī',
        'u' => 'ū',
        'e' => 'ē',
        'o' => 'ō',
        _ => return None,
    })
}

/// Modified Hepburn for a word in kana (katakana or hiragana): ー as a macron, っ doubling
/// the next consonant (tch before ch), ん as n' before a vowel or y. Other characters are
/// kept as they are.
pub fn kana_to_romaji(kana: &str) -> String {
    let chars: Vec<char> = kana.to_katakana().chars().collect();
    let mut out = String::new();
    let mut pending_sokuon = false;
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        if c == 'ッ' {
            pending_sokuon = true;
            i += 1;
            continue;
        }
        if c == 'ン' {
            out.push('n');
            let next = chars.get(i + 1).and_then(|n| {
                let two: String = chars[i + 1..chars.len().min(i + 3)].iter().collect();
                mora(&two).or_else(|| mora(&n.to_string()))
            });
            if next.is_some_and(|r| r.starts_with(['a', 'i', 'u', 'e', 'o', 'y'])) {
                out.push('\'');
            }
            i += 1;
            continue;
        }
        if c == 'ー' {
            if let Some(last) = out.pop() {
                match macron(last) {
                    Some(m) => out.push(m),
                    None => {
                        out.push(last);
                        if !"āīūēō".contains(last) {
                            out.push('-');
                        }
                    }
                }
            }
            i += 1;
            continue;
        }
        let two: String = chars[i..chars.len().min(i + 2)].iter().collect();
        let (romaji, len) = match (chars.get(i + 1).is_some_and(|n| is_small(*n)), mora(&two)) {
            (true, Some(r)) => (Some(r), 2),
            _ => (mora(&c.to_string()), 1),
        };
        match romaji {
            Some(r) => {
                if pending_sokuon {
                    if r.starts_with("ch") {
                        out.push('t');
                    } else if let Some(first) = r.chars().next().filter(|f| !"aiueo".contains(*f)) {
                        out.push(first);
                    }
                    pending_sokuon = false;
                }
                out.push_str(r);
            }
            None => {
                pending_sokuon = false;
                out.push(c);
            }
        }
        i += len;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pairs(items: &[(&str, &str)]) -> Vec<(String, String)> {
        items
            .iter()
            .map(|(a, b)| (a.to_string(), b.to_string()))
            .collect()
    }

    #[test]
    fn particles_are_read_as_pronounced() {
        assert_eq!(
            romaji("私は学校へ行きます。"),
            "Watashi wa gakkō e ikimasu."
        );
        assert_eq!(romaji("水を飲みます"), "Mizu o nomimasu");
        assert_eq!(romaji("こんにちは"), "Konnichiwa");
        assert_eq!(romaji("はい、はじめまして"), "Hai, hajimemashite");
    }

    #[test]
    fn long_vowels_get_macrons() {
        assert_eq!(romaji("東京"), "Tōkyō");
        assert_eq!(romaji("ラーメン"), "Rāmen");
        assert_eq!(romaji("先生"), "Sensei");
        assert_eq!(romaji("大きい"), "Ōkii");
        assert_eq!(romaji("行きましょう"), "Ikimashō");
        assert_eq!(romaji("思います"), "Omoimasu");
    }

    #[test]
    fn small_tsu_doubles_the_next_consonant() {
        assert_eq!(kana_to_romaji("きって"), "kitte");
        assert_eq!(kana_to_romaji("まっちゃ"), "matcha");
        assert_eq!(kana_to_romaji("ざっし"), "zasshi");
        assert_eq!(romaji("学校"), "Gakkō");
    }

    #[test]
    fn n_before_a_vowel_or_y_takes_an_apostrophe() {
        assert_eq!(kana_to_romaji("きんえん"), "kin'en");
        assert_eq!(kana_to_romaji("ほんや"), "hon'ya");
        assert_eq!(kana_to_romaji("しんぶん"), "shinbun");
        assert_eq!(romaji("千円です"), "Sen'en desu");
    }

    #[test]
    fn numbers_are_read_with_their_counters() {
        assert_eq!(romaji("三本"), "Sanbon");
        assert_eq!(romaji("ビールを一杯"), "Bīru o ippai");
        assert_eq!(romaji("3人です"), "Sannin desu");
        assert_eq!(romaji("二人です"), "Futari desu");
        assert_eq!(romaji("一つください"), "Hitotsu kudasai");
        assert_eq!(romaji("4時に"), "Yoji ni");
        assert_eq!(romaji("三階"), "Sangai");
        assert_eq!(romaji("六百円"), "Roppyakuen");
        assert_eq!(romaji("8000円"), "Hassen'en");
        assert_eq!(romaji("一週間"), "Isshūkan");
        assert_eq!(romaji("5分"), "Gofun");
        assert_eq!(romaji("十本"), "Juppon");
        assert_eq!(furigana("三本"), pairs(&[("三本", "さんぼん")]));
        assert_eq!(furigana("3本"), pairs(&[("3", ""), ("本", "ぼん")]));
    }

    #[test]
    fn nani_is_nan_before_t_d_n_and_counters() {
        assert_eq!(romaji("何ですか"), "Nan desu ka");
        assert_eq!(romaji("何を食べますか"), "Nani o tabemasu ka");
        assert_eq!(romaji("何人ですか"), "Nannin desu ka");
        assert_eq!(romaji("何階ですか"), "Nangai desu ka");
        assert_eq!(furigana("何が"), pairs(&[("何", "なに"), ("が", "")]));
    }

    #[test]
    fn furigana_covers_kanji_only_and_unknown_compounds_use_kakasi() {
        assert_eq!(
            furigana("初めて大阪へ行きます"),
            pairs(&[
                ("初", "はじ"),
                ("めて", ""),
                ("大阪", "おおさか"),
                ("へ", ""),
                ("行", "い"),
                ("きます", "")
            ])
        );
        assert_eq!(furigana("豚骨"), pairs(&[("豚骨", "とんこつ")]));
        assert_eq!(
            furigana("今日は時々"),
            pairs(&[("今日", "きょう"), ("は", ""), ("時々", "ときどき")])
        );
        assert_eq!(
            furigana("お願いします"),
            pairs(&[("お", ""), ("願", "ねが"), ("いします", "")])
        );
    }

    #[test]
    fn words_are_spaced_for_a_learner() {
        assert_eq!(
            romaji("いらっしゃい！初めてですか。うちの豚骨は大阪一ですよ。"),
            "Irasshai! Hajimete desu ka. Uchi no tonkotsu wa Ōsaka ichi desu yo."
        );
        assert_eq!(
            romaji("田中さんは食べています"),
            "Tanaka-san wa tabete imasu"
        );
    }
}
