//! Mandarin pinyin: each character's default reading (the `pinyin` crate), replaced by a
//! word's reading where the word reads otherwise — found by longest match in `zh_phrases.tsv`
//! (generated from phrase-pinyin-data, MIT) and `zh_neutral.tsv` (the neutral tones of common
//! words, written for Kaiwa) — and context rules for the grammatical polyphones the tables
//! cannot settle (得 de/děi, 地 de/dì, 了 le/liǎo, 还 hái/huán, 长, 只, 种, 教, 过, 着 …).
//! Tone sandhi of 一 and 不 is shown as written: yī and bù in every position.

use std::collections::HashMap;
use std::sync::OnceLock;

use pinyin::ToPinyin;

static PHRASES: &str = include_str!("zh_phrases.tsv");
static NEUTRAL: &str = include_str!("zh_neutral.tsv");

struct Table {
    words: HashMap<&'static str, Vec<&'static str>>,
    longest: usize,
}

fn table() -> &'static Table {
    static TABLE: OnceLock<Table> = OnceLock::new();
    TABLE.get_or_init(|| {
        let mut words = HashMap::new();
        let mut longest = 0;
        // why: the hand-written neutral tones come last so that they win over the generated
        // table for the same word.
        for line in PHRASES.lines().chain(NEUTRAL.lines()) {
            if line.starts_with('#') {
                continue;
            }
            let Some((word, reading)) = line.split_once('\t') else {
                continue;
            };
            let syllables: Vec<&str> = reading.split_whitespace().collect();
            let len = word.chars().count();
            if len != syllables.len() {
                continue;
            }
            longest = longest.max(len);
            words.insert(word, syllables);
        }
        Table { words, longest }
    })
}

fn is_han(c: char) -> bool {
    ('\u{4E00}'..='\u{9FFF}').contains(&c) || ('\u{3400}'..='\u{4DBF}').contains(&c)
}

fn default_reading(c: char) -> String {
    c.to_pinyin()
        .map(|p| p.with_tone().to_owned())
        .unwrap_or_default()
}

/// (character, pinyin) pairs for `<ruby>`; the reading is empty for anything but hanzi.
pub fn ruby_pairs(text: &str) -> Vec<(String, String)> {
    let chars: Vec<char> = text.chars().collect();
    let table = table();
    let mut readings: Vec<Option<String>> = vec![None; chars.len()];
    // why: backward maximum matching, which cuts 有空调 as 有 空调 where forward matching
    // would take 有空; the table holds only words whose reading differs.
    let mut end = chars.len();
    while end > 0 {
        if !is_han(chars[end - 1]) {
            end -= 1;
            continue;
        }
        let mut matched = 0;
        for len in (2..=table.longest.min(end)).rev() {
            let start = end - len;
            if !chars[start..end].iter().all(|c| is_han(*c)) {
                continue;
            }
            let word: String = chars[start..end].iter().collect();
            if let Some(syllables) = table.words.get(word.as_str()) {
                for (k, s) in syllables.iter().enumerate() {
                    readings[start + k] = Some((*s).to_owned());
                }
                matched = len;
                break;
            }
        }
        end -= matched.max(1);
    }
    for (i, c) in chars.iter().enumerate() {
        if is_han(*c) && readings[i].is_none() {
            readings[i] = Some(context_reading(&chars, i));
        }
    }
    chars
        .iter()
        .zip(readings)
        .map(|(c, r)| (c.to_string(), r.unwrap_or_default()))
        .collect()
}

/// The romanization line: the syllables, one space apart, punctuation kept.
pub fn romanization(pairs: &[(String, String)]) -> String {
    let mut out = String::new();
    for (c, p) in pairs {
        if p.is_empty() {
            let mapped = match c.as_str() {
                "。" => ".",
                "，" | "、" => ",",
                "？" => "?",
                "！" => "!",
                "：" => ":",
                "；" => ";",
                other => other,
            };
            if mapped.chars().all(|ch| ch.is_alphanumeric())
                && !out.is_empty()
                && !out.ends_with(' ')
            {
                out.push(' ');
            }
            out.push_str(mapped);
        } else {
            if !out.is_empty() && !out.ends_with(' ') {
                out.push(' ');
            }
            out.push_str(p);
        }
    }
    out.trim().to_owned()
}

const NUMERALS: &str = "一二两三四五六七八九十几半每这那哪";
const SUBJECTS: &str = "我你他她它咱们就还也都又总可";

/// The reading of a character that no word covered, from the characters around it.
fn context_reading(chars: &[char], i: usize) -> String {
    let prev = i.checked_sub(1).map(|p| chars[p]);
    let next = chars.get(i + 1).copied();
    let next_in = |set: &str| next.is_some_and(|n| set.contains(n));
    let prev_in = |set: &str| prev.is_some_and(|p| set.contains(p));
    let r = match chars[i] {
        '一' => "yī",
        '不' => "bù",
        // 得: děi (must) after a subject or adverb and before a verb; de after a verb.
        '得' if prev_in(SUBJECTS)
            && next.is_some_and(is_han)
            && !next_in("到很太好不多少出了起非真特挺更越最") =>
        {
            "děi"
        }
        '得' => "de",
        // 地: dì starting a word or in a noun (土地, 当地), de after an adverbial (慢慢地).
        '地' if prev.is_some_and(is_han)
            && !prev_in("土当各本外场草工田陆基山天种此原")
            && !next_in("铁图址点区方下上球板震面位道毯") =>
        {
            "de"
        }
        '地' => "dì",
        // 了: liǎo in a potential complement (去不了, 吃得了), le elsewhere.
        '了' if prev_in("不得") && i >= 2 => "liǎo",
        '了' => "le",
        '还' if next_in("给钱书款") => "huán",
        '还' => "hái",
        '长' if next_in("得大高胖") || prev_in("校家部班队组市省县局处科院厂社首师兄学酋成生") => {
            "zhǎng"
        }
        '长' => "cháng",
        // 只: zhī as a measure word (一只猫), zhǐ (only) elsewhere.
        '只' if prev_in(NUMERALS) => "zhī",
        '只' => "zhǐ",
        '种' if next_in("花树菜地田草") => "zhòng",
        '种' => "zhǒng",
        '教' if next_in("我你他她咱孩书中英日汉") => "jiāo",
        '教' => "jiào",
        '觉' => "jué",
        // 过 after a verb is the aspect particle guo (去过, 吃过).
        '过' if prev_in("去来吃看听做见到学用住玩喝说买试想坐走写读找") => {
            "guo"
        }
        '重' => "zhòng",
        '行' => "xíng",
        '着' if prev_in("睡找") => "zháo",
        '着' => "zhe",
        '的' => "de",
        '么' => "me",
        '吗' => "ma",
        '呢' => "ne",
        '吧' => "ba",
        '啊' => "a",
        '们' => "men",
        '和' => "hé",
        '都' => "dōu",
        '为' => "wèi",
        '要' => "yào",
        '好' => "hǎo",
        '没' => "méi",
        '几' => "jǐ",
        '给' => "gěi",
        '那' => "nà",
        '哪' => "nǎ",
        '会' => "huì",
        '大' => "dà",
        '少' => "shǎo",
        '便' => "biàn",
        '乐' => "lè",
        '差' => "chà",
        '空' => "kōng",
        '分' => "fēn",
        '相' => "xiāng",
        '看' => "kàn",
        '处' => "chù",
        '场' => "chǎng",
        '说' => "shuō",
        '数' => "shù",
        '干' => "gàn",
        '假' => "jià",
        '正' => "zhèng",
        '难' => "nán",
        '应' => "yīng",
        '量' => "liàng",
        '转' => "zhuǎn",
        '倒' => "dào",
        '调' => "diào",
        '发' => "fā",
        '角' => "jiǎo",
        '兴' => "xìng",
        '省' => "shěng",
        '背' => "bèi",
        '传' => "chuán",
        '结' => "jié",
        '累' => "lèi",
        '藏' => "cáng",
        '卡' => "kǎ",
        '血' => "xuè",
        '期' => "qī",
        '尽' => "jǐn",
        '将' => "jiāng",
        '参' => "cān",
        '系' => "xì",
        '似' => "sì",
        '答' => "dá",
        '薄' => "báo",
        '合' => "hé",
        _ => return default_reading(chars[i]),
    };
    r.to_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn readings(text: &str) -> String {
        ruby_pairs(text)
            .into_iter()
            .filter(|(_, p)| !p.is_empty())
            .map(|(_, p)| p)
            .collect::<Vec<_>>()
            .join(" ")
    }

    #[test]
    fn words_read_otherwise_than_their_characters() {
        assert_eq!(readings("银行"), "yín háng");
        assert_eq!(readings("睡觉"), "shuì jiào");
        assert_eq!(readings("谢谢"), "xiè xie");
        assert_eq!(readings("便宜"), "pián yi");
        assert_eq!(readings("了解"), "liǎo jiě");
        assert_eq!(readings("有空调"), "yǒu kōng tiáo");
    }

    #[test]
    fn de_dei_and_di() {
        assert_eq!(readings("你说得很好"), "nǐ shuō de hěn hǎo");
        assert_eq!(readings("我得走了"), "wǒ děi zǒu le");
        assert_eq!(readings("他慢慢地走"), "tā màn màn de zǒu");
        assert_eq!(readings("这个地方"), "zhè ge dì fang");
    }

    #[test]
    fn le_hai_chang_zhi_zhong_jiao_guo() {
        assert_eq!(readings("我去不了"), "wǒ qù bù liǎo");
        assert_eq!(readings("我还没吃"), "wǒ hái méi chī");
        assert_eq!(readings("还给我"), "huán gěi wǒ");
        assert_eq!(readings("他长得很高"), "tā zhǎng de hěn gāo");
        assert_eq!(readings("很长"), "hěn cháng");
        assert_eq!(readings("一只猫"), "yī zhī māo");
        assert_eq!(readings("只有一个"), "zhǐ yǒu yī gè");
        assert_eq!(readings("这种"), "zhè zhǒng");
        assert_eq!(readings("种花"), "zhòng huā");
        assert_eq!(readings("教我中文"), "jiāo wǒ zhōng wén");
        assert_eq!(readings("你吃过吗"), "nǐ chī guo ma");
    }

    #[test]
    fn yi_and_bu_keep_their_citation_tones() {
        assert_eq!(readings("一定"), "yī dìng");
        assert_eq!(readings("不客气"), "bù kè qi");
    }
}
